from django import template
from django.db import connection

register = template.Library()


@register.simple_tag
def search_tolerates_typos() -> bool:
    """Typo tolerance needs PostgreSQL (pg_trgm); the embedded SQLite default has none."""
    return connection.vendor == "postgresql"
