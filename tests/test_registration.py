"""Registration through the API: a new organization, or a request to join an existing one."""

import pytest

from accounts.models import AuditAction, AuditEntry, Membership, Organization, Status, User

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/register/"


def payload(password, **overrides):
    body = {
        "email": "new@brand.example",
        "password": password,
        "full_name": "New Person",
        "organization": {"kind": "right_holder", "name": "Brand New", "country": "FR"},
    }
    body.update(overrides)
    return body


def test_new_organization_is_pending_with_its_founder(anonymous, password):
    response = anonymous.post(URL, payload(password), format="json")
    assert response.status_code == 201
    user = User.objects.get(email="new@brand.example")
    assert user.status == Status.PENDING
    assert user.membership.is_founder and user.membership.role == "admin"
    assert user.organization.status == Status.PENDING
    assert user.organization.country == "FR"
    assert response.json()["id"] == user.pk
    assert AuditEntry.objects.filter(action=AuditAction.ORGANIZATION_REGISTERED).count() == 1


def test_customs_founder_becomes_coordinator(anonymous, password):
    body = payload(password, organization={"kind": "customs", "name": "Aduana", "country": "ES"})
    # The answer carries the person only (DESIGN.md); it used to carry the role and organization.
    assert anonymous.post(URL, body, format="json").status_code == 201
    assert User.objects.get(email="new@brand.example").role == "coordinator"


def test_same_kind_name_and_country_is_a_join_request(
    anonymous, password, acme, acme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    body = payload(password, organization={"kind": "right_holder", "name": "acme  WATCHES", "country": "CH"})
    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous.post(URL, body, format="json")
    assert response.status_code == 201
    user = User.objects.get(email="new@brand.example")
    assert user.organization == acme
    assert user.status == Status.PENDING
    assert user.membership.role == "viewer" and not user.membership.is_founder
    assert Organization.objects.filter(name__iexact="acme watches").count() == 1
    # The organization's admin is told someone asks to join; the person gets the link proving
    # their address (issue 16), and nobody else hears of it.
    assert sorted(m.to for m in mailoutbox) == [[acme_admin.email], ["new@brand.example"]]
    assert mailoutbox[[m.to for m in mailoutbox].index(["new@brand.example"])].subject == (
        "Prove your e-mail address on IPM Portal"
    )


def test_same_name_in_another_country_is_a_new_organization(anonymous, password, acme):
    body = payload(password, organization={"kind": "right_holder", "name": "Acme Watches", "country": "FR"})
    assert anonymous.post(URL, body, format="json").status_code == 201
    assert Organization.objects.filter(name="Acme Watches").count() == 2


def test_joining_a_suspended_organization_is_refused(anonymous, password, acme):
    acme.status = Status.SUSPENDED
    acme.save()
    body = payload(password, organization={"kind": "right_holder", "name": "Acme Watches", "country": "CH"})
    response = anonymous.post(URL, body, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()
    assert not User.objects.filter(email="new@brand.example").exists()


BAD_INPUTS = [
    pytest.param(lambda p: {k: v for k, v in payload(p).items() if k != "email"}, "email", id="missing-email"),
    pytest.param(lambda p: {k: v for k, v in payload(p).items() if k != "password"}, "password", id="missing-pw"),
    pytest.param(lambda p: {k: v for k, v in payload(p).items() if k != "full_name"}, "full_name", id="missing-name"),
    pytest.param(
        lambda p: {k: v for k, v in payload(p).items() if k != "organization"},
        "organization",
        id="missing-organization",
    ),
    pytest.param(lambda p: payload(p, email="not-an-email"), "email", id="bad-email"),
    pytest.param(
        lambda p: payload(p, organization={"kind": "right_holder", "name": "X Co", "country": "XX"}),
        "organization",
        id="bad-country",
    ),
    pytest.param(
        lambda p: payload(p, organization={"kind": "right_holder", "name": "X Co", "country": "France"}),
        "organization",
        id="country-name-not-code",
    ),
    pytest.param(
        lambda p: payload(p, organization={"kind": "platform", "name": "X Co", "country": "FR"}),
        "organization",
        id="platform-kind",
    ),
    pytest.param(
        lambda p: payload(p, organization={"kind": "right_holder", "name": "N" * 10_000, "country": "FR"}),
        "organization",
        id="10000-char-organization-name",
    ),
    pytest.param(lambda p: payload(p, full_name="N" * 10_000), "full_name", id="10000-char-full-name"),
    pytest.param(lambda p: payload(p, email="a" * 10_000 + "@x.example"), "email", id="10000-char-email"),
    pytest.param(lambda p: payload("password"), "password", id="common-password"),
    pytest.param(lambda p: payload("short"), "password", id="short-password"),
    pytest.param(lambda p: payload(p, language="de"), "language", id="unsupported-language"),
    pytest.param(lambda p: payload(p, organization="Acme"), "organization", id="organization-not-an-object"),
]


@pytest.mark.parametrize(("make_body", "field"), BAD_INPUTS)
def test_bad_input_is_a_400_field_error_and_creates_nothing(anonymous, password, make_body, field):
    users, organizations = User.objects.count(), Organization.objects.count()
    response = anonymous.post(URL, make_body(password), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert (User.objects.count(), Organization.objects.count()) == (users, organizations)
    assert not Membership.objects.exists()


def test_duplicate_email_any_case_is_refused(anonymous, password, acme_viewer):
    response = anonymous.post(URL, payload(password, email=acme_viewer.email.upper()), format="json")
    assert response.status_code == 400
    assert "email" in response.json()
    assert User.objects.filter(email__iexact=acme_viewer.email).count() == 1


def test_malformed_json_is_a_400(anonymous):
    response = anonymous.post(URL, data='{"email": "x@y.example", ', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not User.objects.exists()


def test_json_that_is_not_an_object_is_a_400(anonymous):
    response = anonymous.post(URL, data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert not User.objects.exists()
