"""Facts that higher apps add to the products a person reads through the API (a product, the
list, the lookup), without the catalogue importing them (docs/ARCHITECTURE.md, the layers).

A provider, registered from its app's `ready()` with `product_facts(provider)`, is asked once per
request: `provider(user)` answers `{name: expression}` to annotate on the reader's product rows
(read through the gate, in the same query), or None when the reader gets none of it. The API
then shows each annotated name as a field. Applications for action add
`application_for_action: {granted, valid_until}` for customs readers (applications.selectors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

Provider = Callable[[Any], dict[str, Any] | None]

_providers: list[Provider] = []


def product_facts(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def with_product_facts(products: QuerySet[Any], user: Any) -> tuple[QuerySet[Any], tuple[str, ...]]:
    """`products` annotated with every provider's facts for `user`, and the names added."""
    names: list[str] = []
    for provider in _providers:
        facts = provider(user)
        if facts:
            products = products.annotate(**facts)
            names.extend(facts)
    return products, tuple(names)
