"""What the catalogue pages share: fetching an object through the person's scope, and the labels
the templates show for stored transport modes."""

from __future__ import annotations

from accounts.models import User
from core.gate import may, object_or_404

# The catalogue pages import it from here; it lives in core, with the other apps' page helpers.
from core.views import posted as posted

from ..models import TransportMode


def visible_or_404(user: User, queryset, pk: int):
    """The object if `user` may see it; 404 otherwise (never 403: its existence stays secret)."""
    return object_or_404(user, queryset, pk)


def editable_or_refuse(user: User, queryset, pk: int):
    """The object if `user` may edit it. 404 if they cannot even see it; 403 if they can see it
    but not edit it (a viewer, an officer, a platform admin)."""
    return object_or_404(user, queryset, pk, "change")


def can_edit(user: User, queryset, obj) -> bool:
    return may(user, "change", obj)


def transport_labels(values) -> list[str]:
    labels = dict(TransportMode.choices)
    return [str(labels.get(value, value)) for value in values]
