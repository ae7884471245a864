"""The search change log (issue 15): every change that affects a search document or its scope
appends (kind, id) rows in the change's own transaction, for the engines to follow."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import Status
from brands import services as brand_services
from search.index import BRAND_AND_DEPENDENTS
from search.models import IndexChange

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db


def logged(after: int = 0) -> set[tuple[str, int]]:
    return set(IndexChange.objects.filter(pk__gt=after).values_list("kind", "object_id"))


def last() -> int:
    return IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_product_saved_is_logged_with_its_documents(acme_editor, brand_fr, product_fr):
    start = last()
    brand_services.product_update(actor=acme_editor, product=product_fr, data={"name": "Lumina Chrono II"})
    assert ("product", product_fr.pk) in logged(start)


def test_a_rolled_back_change_leaves_no_row(acme_editor, brand_fr, product_fr):
    start = last()
    with pytest.raises(RuntimeError), transaction.atomic():
        brand_services.product_update(actor=acme_editor, product=product_fr, data={"name": "Never"})
        assert ("product", product_fr.pk) in logged(start)
        raise RuntimeError
    assert logged(start) == set()


def test_a_brand_saved_logs_its_dependents(acme_editor, brand_fr, product_fr):
    start = last()
    brand_services.brand_update(actor=acme_editor, brand=brand_fr, data={"visibility": {"all": True}})
    assert {("brand", brand_fr.pk), ("product", product_fr.pk)} <= logged(start)


def test_an_organization_suspended_logs_every_document_of_its_brands(acme, brand_fr, brand_all):
    start = last()
    acme.status = Status.SUSPENDED
    acme.save()
    assert {(BRAND_AND_DEPENDENTS, brand_fr.pk), (BRAND_AND_DEPENDENTS, brand_all.pk)} <= logged(start)


def test_deletions_are_logged(acme_editor, brand_fr, product_fr):
    start = last()
    brand_services.product_delete(actor=acme_editor, product=product_fr)
    assert ("product", product_fr.pk) in logged(start)
    start = last()
    brand_services.brand_delete(actor=acme_editor, brand=brand_fr)
    assert (BRAND_AND_DEPENDENTS, brand_fr.pk) in logged(start)


def test_the_sequence_grows(acme_editor, brand_fr, product_fr):
    brand_services.product_update(actor=acme_editor, product=product_fr, data={"name": "A"})
    brand_services.product_update(actor=acme_editor, product=product_fr, data={"name": "B"})
    ids = list(IndexChange.objects.filter(kind="product", object_id=product_fr.pk).values_list("pk", flat=True))
    assert ids == sorted(ids) and len(ids) >= 2
