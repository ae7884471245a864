"""Registering under a name that reads like an existing organization's is refused: a counterfeiter
must not appear as "Lumіna Watches" (a Cyrillic і) beside the real Lumina Watches. The refusal
tells nothing of the organization it resembles and is logged for the platform admins."""

from __future__ import annotations

import logging

import pytest

from accounts.lookalike import name_skeleton
from accounts.models import AuditAction, AuditEntry, Organization, OrganizationKind, Status, User
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/auth/register/"
WEB = "/accounts/register/"

# (the name on the platform, the name a newcomer gives)
LOOK_ALIKES = [
    pytest.param("Lumina Watches", "Lum\u0456na Watches", id="cyrillic-i"),
    pytest.param("Lumina Watches", "Lumina W\u0430tche\u0455", id="cyrillic-a-and-dze"),
    pytest.param("Globo Optics", "Gl\u03bfb\u03bf Optics", id="greek-omicron"),
    pytest.param("Gl\u03bfb\u03bf Optics", "Globo Optics", id="latin-imitating-greek"),
    pytest.param("Lumina Watches", "Lum\u00edna Watches", id="latin-1-i-acute"),
    pytest.param("Lumina Watches", "L\u00fcmina W\u0430tch\u00e9s", id="latin-1-mixed-with-cyrillic"),
    pytest.param("Lumina Watches", "\uff2c\uff55\uff4d\uff49\uff4e\uff41 Watches", id="full-width"),
    pytest.param("Lumina Watches", "Lumi\u200bna Watches", id="zero-width-space"),
    pytest.param("Acme Watches", "ACME WATCHE\u0405", id="capitals-with-cyrillic-dze"),
]


@pytest.fixture
def lumina(db):
    organization = OrganizationFactory(name="Lumina Watches", kind=OrganizationKind.RIGHT_HOLDER, country="CH")
    if organization.name_skeleton != name_skeleton("Lumina Watches"):
        pytest.fail("the look-alike key is not stored on save")
    return organization


def body(password, name, *, kind="right_holder", country="FR", email="fake@counterfeit.example"):
    return {
        "email": email,
        "password": password,
        "full_name": "Not Lumina",
        "organization": {"kind": kind, "name": name, "country": country},
    }


def counts():
    return User.objects.count(), Organization.objects.count()


@pytest.mark.parametrize(("existing", "name"), LOOK_ALIKES)
def test_a_look_alike_name_is_refused_on_the_organization_name(anonymous, password, existing, name):
    OrganizationFactory(name=existing, kind=OrganizationKind.RIGHT_HOLDER, country="CH")
    before = counts()
    response = anonymous.post(API, body(password, name), format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()) == ["organization"]
    assert list(response.json()["organization"]) == ["name"]
    assert counts() == before


@pytest.mark.parametrize("kind", ["right_holder", "customs"])
def test_a_look_alike_is_refused_whatever_the_kind_and_country(anonymous, password, lumina, kind):
    response = anonymous.post(API, body(password, "Lum\u0456na Watches", kind=kind, country="CH"), format="json")
    assert response.status_code == 400


def test_the_exact_same_name_kind_and_country_is_still_a_request_to_join(anonymous, password, lumina):
    response = anonymous.post(API, body(password, "lumina  WATCHES", country="CH"), format="json")
    assert response.status_code == 201, response.json()
    assert User.objects.get(email="fake@counterfeit.example").organization == lumina
    assert Organization.objects.count() == 1


def test_the_exact_same_name_in_another_country_is_still_a_new_organization(anonymous, password, lumina):
    response = anonymous.post(API, body(password, "Lumina Watches", country="FR"), format="json")
    assert response.status_code == 201
    assert Organization.objects.filter(name="Lumina Watches").count() == 2


def test_a_rejected_organizations_name_does_not_block(anonymous, password, platform_admin):
    from accounts import services

    fake = OrganizationFactory(name="Lum\u0456na Watches", status=Status.PENDING)
    services.organization_reject(actor=platform_admin, organization=fake, reason="Counterfeiter")
    response = anonymous.post(API, body(password, "Lumina Watches", country="CH"), format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("status", [Status.PENDING, Status.SUSPENDED])
def test_a_pending_or_suspended_organizations_name_blocks(anonymous, password, status):
    OrganizationFactory(name="Lumina Watches", status=status)
    assert anonymous.post(API, body(password, "Lum\u0456na Watches"), format="json").status_code == 400


def test_the_refusal_is_logged_for_the_platform_admins(anonymous, password, lumina, platform_admin, caplog):
    with caplog.at_level(logging.WARNING, logger="accounts"):
        response = anonymous.post(API, body(password, "Lum\u0456na Watches"), format="json", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 400
    entry = AuditEntry.objects.get(action=AuditAction.ORGANIZATION_LOOKALIKE_REFUSED)
    assert entry.organization == lumina and entry.target_id == str(lumina.pk)
    assert entry.details["name"] == "Lum\u0456na Watches"
    assert entry.details["email"] == "fake@counterfeit.example"
    assert (entry.details["kind"], entry.details["country"]) == ("right_holder", "FR")
    assert entry.ip_address == "203.0.113.7"
    assert AuditEntry.objects.restrict(platform_admin, "view").filter(pk=entry.pk).exists()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(str(lumina.pk) in message and "fake@counterfeit.example" in message for message in warnings)


def test_the_refusal_tells_nothing_of_the_organization_it_resembles(anonymous, password, lumina):
    response = anonymous.post(API, body(password, "Lum\u0456na Watches"), format="json")
    text = response.content.decode()
    for secret in ("Lumina Watches", "CH", "Switzerland", str(lumina.pk), "approved", "right_holder"):
        assert secret not in text, secret


def test_the_web_form_shows_the_refusal_on_the_organization_name(client, password, lumina):
    data = {
        "full_name": "Not Lumina",
        "email": "fake@counterfeit.example",
        "password1": password,
        "password2": password,
        "language": "en",
        "organization_kind": "right_holder",
        "organization_name": "Lum\u0456na Watches",
        "country": "FR",
    }
    before = counts()
    response = client.post(WEB, data)
    assert response.status_code == 200
    assert response.context["form"].errors["organization_name"]
    assert "Lumina Watches" not in response.context["form"].errors["organization_name"][0]
    assert counts() == before
    assert AuditEntry.objects.filter(action=AuditAction.ORGANIZATION_LOOKALIKE_REFUSED).count() == 1


def test_a_rename_keeps_the_key_up_to_date(lumina, platform_admin, client):
    client.force_login(platform_admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        f"/admin/accounts/organization/{lumina.pk}/change/",
        {"name": "Lumina Horlogerie"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lumina.refresh_from_db()
    assert lumina.name == "Lumina Horlogerie"
    assert lumina.name_skeleton == name_skeleton("Lumina Horlogerie")
    assert Organization.objects.filter(name_skeleton=name_skeleton("Lum\u0456na Horlogerie")).get() == lumina


def test_the_look_alike_check_is_one_query(lumina, django_assert_num_queries):
    from accounts.lookalike import lookalike_organizations

    with django_assert_num_queries(1):
        assert list(lookalike_organizations(name="Lum\u0456na Watches")) == [lumina]
