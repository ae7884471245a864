"""core.scope: who a person is for the rules, the gate's fail-closed behaviour, and `audience`,
the rule asked the other way round (who among these people may see this object)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from accounts.models import Status, User
from brands.models import Brand, BrandCountry
from core.scope import NO_SCOPE, Scope, audience, scope_of, scope_of_organization

from .brand_fixtures import brand_all, brand_fr, globex_brand  # noqa: F401


def test_each_kind_of_person_has_its_scope(platform_admin, acme_editor, acme_viewer, officer_fr):
    assert scope_of(platform_admin).is_platform
    editor = scope_of(acme_editor)
    assert editor.is_owner and editor.writes and editor.organization_id == acme_editor.organization.pk
    assert scope_of(acme_viewer).is_owner and not scope_of(acme_viewer).writes
    officer = scope_of(officer_fr)
    assert officer.is_enforcement and officer.jurisdiction == ("FR",) and officer.person_id == officer_fr.pk


def test_nobody_without_access(acme_editor, officer_fr):
    assert scope_of(AnonymousUser()) is NO_SCOPE
    assert scope_of(None) is NO_SCOPE
    officer_fr.status = Status.SUSPENDED
    officer_fr.save(update_fields=["status"])
    assert scope_of(User.objects.get(pk=officer_fr.pk)) is NO_SCOPE
    organization = acme_editor.organization
    organization.status = Status.SUSPENDED
    organization.save(update_fields=["status"])
    assert scope_of(User.objects.get(pk=acme_editor.pk)) is NO_SCOPE
    assert scope_of_organization(organization) is NO_SCOPE


def test_nobody_gets_nothing_whatever_the_rule(brand_all):  # noqa: F811
    assert list(Brand.objects.restrict(AnonymousUser(), "view")) == []
    assert list(Brand.objects.restrict(Scope(), "view")) == []


def test_an_action_without_a_rule_is_refused(officer_fr, brand_all):  # noqa: F811
    with pytest.raises(ImproperlyConfigured, match="no scoping rule for 'publish'"):
        Brand.objects.restrict(officer_fr, "publish")


def test_the_scope_is_computed_once_per_user_object(officer_fr, django_assert_num_queries):
    user = User.objects.with_organization().get(pk=officer_fr.pk)
    scope_of(user)
    with django_assert_num_queries(0):
        assert scope_of(user).is_enforcement


def test_cache_key_names_kind_jurisdiction_and_language():
    scope = Scope(reach="enforcement", kind="customs", jurisdiction=("DE", "FR"), language="fr")
    assert scope.cache_key == "enforcement:customs:DE,FR:fr"
    assert Scope(reach="enforcement", kind="customs", jurisdiction=("FR",), language="fr").cache_key != scope.cache_key


def test_a_jurisdiction_of_several_countries_sees_what_each_country_sees(brand_fr, brand_all):  # noqa: F811
    both = Scope(reach="enforcement", kind="customs", jurisdiction=("DE", "FR"))
    germany = Scope(reach="enforcement", kind="customs", jurisdiction=("DE",))
    assert set(Brand.objects.restrict(both, "view")) == {brand_fr, brand_all}
    assert set(Brand.objects.restrict(germany, "view")) == {brand_all}


def test_audience_keeps_exactly_who_may_see(
    brand_fr,  # noqa: F811
    officer_fr,
    officer_de,
    acme_viewer,
    other_rightholder,
    django_assert_max_num_queries,
):
    people = User.objects.filter(pk__in=[officer_fr.pk, officer_de.pk, acme_viewer.pk, other_rightholder.pk])
    with django_assert_max_num_queries(8):  # one question per organization and role, not per person
        seeing = set(audience(brand_fr, people))
    assert seeing == {officer_fr, acme_viewer}
    BrandCountry.objects.create(brand=brand_fr, country="DE")
    assert set(audience(brand_fr, people)) == {officer_fr, officer_de, acme_viewer}


def test_audience_leaves_out_people_without_access(brand_all, officer_fr):  # noqa: F811
    officer_fr.status = Status.SUSPENDED
    officer_fr.save(update_fields=["status"])
    assert list(audience(brand_all, User.objects.filter(pk=officer_fr.pk))) == []
