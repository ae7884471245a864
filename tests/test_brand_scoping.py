"""Who sees and edits which brand: the querysets every page and endpoint goes through."""

import pytest

from accounts import services as account_services
from brands.models import Brand, Product

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db


def visible(user):
    return set(Brand.objects.restrict(user, "view").values_list("name", flat=True))


def test_each_person_sees_what_they_may(
    brand_all,
    brand_fr,
    globex_brand,
    platform_admin,
    acme_admin,
    acme_editor,
    acme_viewer,
    other_rightholder,
    officer_fr,
    officer_de,
    coordinator_fr,
):
    assert visible(platform_admin) == {"Lumina", "Lumina Secret", "Globex Wear"}
    for person in (acme_admin, acme_editor, acme_viewer):
        assert visible(person) == {"Lumina", "Lumina Secret"}
    assert visible(other_rightholder) == {"Globex Wear"}
    assert visible(officer_fr) == visible(coordinator_fr) == {"Lumina", "Lumina Secret", "Globex Wear"}
    assert visible(officer_de) == {"Lumina", "Globex Wear"}


def test_only_the_owners_admins_and_editors_edit(
    brand_all, platform_admin, acme_admin, acme_editor, acme_viewer, other_rightholder, officer_fr
):
    editable = {
        p.email: Brand.objects.restrict(p, "change").exists()
        for p in (platform_admin, acme_admin, acme_editor, acme_viewer, other_rightholder, officer_fr)
    }
    assert editable == {
        platform_admin.email: False,
        acme_admin.email: True,
        acme_editor.email: True,
        acme_viewer.email: False,
        other_rightholder.email: False,
        officer_fr.email: False,
    }


def test_nobody_without_access_sees_anything(brand_all, acme_viewer, platform_admin, acme):
    from django.contrib.auth.models import AnonymousUser

    assert not Brand.objects.restrict(AnonymousUser(), "view").exists()
    account_services.organization_suspend(actor=platform_admin, organization=acme, reason="x")
    acme_viewer.refresh_from_db()
    assert not Brand.objects.restrict(acme_viewer, "view").exists()


def test_officers_do_not_see_brands_of_a_suspended_owner(brand_all, officer_fr, platform_admin, acme):
    account_services.organization_suspend(actor=platform_admin, organization=acme, reason="x")
    assert not Brand.objects.restrict(officer_fr, "view").exists()


def test_products_follow_their_brand(product_fr, officer_fr, officer_de, other_rightholder, acme_viewer):
    assert list(Product.objects.restrict(officer_fr, "view")) == [product_fr]
    assert list(Product.objects.restrict(acme_viewer, "view")) == [product_fr]
    assert not Product.objects.restrict(officer_de, "view").exists()
    assert not Product.objects.restrict(other_rightholder, "view").exists()


def test_narrowing_a_brand_hides_it_at_once(brand_all, acme_editor, officer_de):
    from brands import services

    assert Brand.objects.restrict(officer_de, "view").exists()
    services.brand_update(actor=acme_editor, brand=brand_all, data={"visibility": {"all": False, "countries": ["FR"]}})
    assert not Brand.objects.restrict(officer_de, "view").exists()
