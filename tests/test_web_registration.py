"""Registering in the browser: a pending person and a pending organization, or a request to join."""

from __future__ import annotations

import pytest

from accounts.models import AuditAction, AuditEntry, Organization, Role, Status, User

pytestmark = pytest.mark.django_db

REGISTER = "/accounts/register/"


@pytest.fixture
def form_data(password):
    return {
        "full_name": "Rita Holder",
        "email": "Rita@Brand.example",
        "password1": password,
        "password2": password,
        "language": "fr",
        "organization_kind": "right_holder",
        "organization_name": "Brand Co",
        "country": "CH",
    }


def counts():
    return User.objects.count(), Organization.objects.count()


def test_registration_page_renders_every_field_with_a_label(client):
    response = client.get(REGISTER)
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("full_name", "email", "password1", "password2", "language", "organization_name", "country"):
        assert f'<label for="id_{field}"' in html, field
    assert "<legend" in html, "the organization kind radios are grouped in a fieldset"
    assert '<option value="FR">France</option>' in html


def test_registration_creates_a_pending_person_and_organization(client, form_data):
    response = client.post(REGISTER, form_data)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/done/"

    user = User.objects.get(email="rita@brand.example")
    assert user.status == Status.PENDING
    assert user.full_name == "Rita Holder"
    assert user.language == "fr"
    assert user.check_password(form_data["password1"])
    organization = user.organization
    assert (organization.name, organization.kind, organization.country.code) == ("Brand Co", "right_holder", "CH")
    assert organization.status == Status.PENDING
    assert user.membership.is_founder
    assert user.role == Role.ADMIN
    assert AuditEntry.objects.filter(action=AuditAction.ORGANIZATION_REGISTERED, target_id=str(organization.pk))

    done = client.get(response["Location"])
    assert "A platform administrator will check it" in done.content.decode()
    assert "_auth_user_id" not in client.session


def test_registration_for_an_existing_organization_is_a_request_to_join(client, form_data, acme, acme_admin):
    form_data.update(organization_name="acme watches", country="CH")
    response = client.post(REGISTER, form_data)
    assert response.status_code == 302
    # The same page as for a new organization (DESIGN.md: registering tells nothing of whether
    # the organization exists); it used to be ".../done/?joining=1" with its own text.
    assert response["Location"] == "/accounts/register/done/"
    user = User.objects.get(email="rita@brand.example")
    assert user.status == Status.PENDING
    assert user.organization == acme
    assert user.role == Role.VIEWER
    assert not user.membership.is_founder
    assert "A platform administrator will check it" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"country": "XX"}, "country", "Select a valid choice"),
        ({"password2": "Something-else-42"}, "password2", "The two passwords differ"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address"),
        ({"full_name": "x" * 10_000}, "full_name", "at most 200 characters"),
        ({"organization_kind": "platform"}, "organization_kind", "Select a valid choice"),
        ({"password1": "123", "password2": "123"}, "password1", "too short"),
    ],
)
def test_bad_input_rerenders_with_the_error_on_the_field_and_creates_nothing(
    client, form_data, change, field, message
):
    before = counts()
    form_data.update(change)
    response = client.post(REGISTER, form_data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert message in html
    assert f'aria-describedby="id_{field}' in html or f'id="id_{field}_error"' in html
    assert counts() == before


def test_duplicate_email_is_refused_whatever_its_case(client, form_data, acme_editor):
    before = counts()
    form_data["email"] = acme_editor.email.upper()
    response = client.post(REGISTER, form_data)
    assert response.status_code == 200
    assert "already exists" in " ".join(response.context["form"].errors["email"])
    assert counts() == before


def test_joining_a_suspended_organization_is_refused_on_the_organization_field(
    client, form_data, platform_admin, acme
):
    from accounts import services

    services.organization_suspend(actor=platform_admin, organization=acme, reason="Fraud")
    form_data.update(organization_name="Acme Watches", country="CH")
    before = counts()
    response = client.post(REGISTER, form_data)
    assert response.status_code == 200
    assert "does not accept new members" in " ".join(response.context["form"].errors["organization_name"])
    assert counts() == before


def test_a_signed_in_person_is_sent_home_from_the_registration_page(client, acme_editor):
    client.force_login(acme_editor, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(REGISTER)
    assert response.status_code == 302
    assert response["Location"] == "/"
