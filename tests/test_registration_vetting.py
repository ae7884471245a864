"""Vetted registration: a new right holder's trade mark registrations kept and shown to the platform
admins with whether the founder's e-mail is proven (and to nobody else); bad trade mark input a 400
with nothing created; platform admins told of each new organization (in-app and e-mail, in their
language), not of a request to join; a rejected organization's name registered again."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.email_proof import make_token
from accounts.models import Organization, OrganizationKind, Role, Status, User
from accounts.services.email_proof import email_proof_confirm
from core.models import Event
from notifications.models import Notification
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
REGISTERED = "organization.registered"
BACKEND = "django.contrib.auth.backends.ModelBackend"
TRADEMARKS = [{"office": "EUIPO", "number": "018123456"}, {"office": "INPI", "number": "4567890"}]


def body(password, *, email="rita@brand.example", **organization):
    return {
        "email": email,
        "password": password,
        "full_name": "Rita Holder",
        "organization": {"kind": "right_holder", "name": "Brand Co", "country": "CH", **organization},
    }


@pytest.fixture
def register(anonymous, password, django_capture_on_commit_callbacks):
    def post(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            return anonymous.post(REGISTER, body(password, **fields), format="json")

    return post


def signed_in(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def counts():
    return User.objects.count(), Organization.objects.count(), Event.objects.count()


# --------------------------------------------------------------------------- trade marks


def test_trade_marks_given_at_registration_are_kept_on_the_new_organization(register):
    response = register(trademarks=[*TRADEMARKS, {"office": " EUIPO ", "number": "018123456"}])
    assert response.status_code == 201
    organization = User.objects.get(email="rita@brand.example").organization
    assert organization.trademarks == TRADEMARKS, "tidied, and each registration once"
    assert set(response.json()) == {"id", "email", "full_name", "status"}, "the answer tells nothing more"


def test_trade_marks_are_optional(register):
    assert register().status_code == 201
    assert User.objects.get(email="rita@brand.example").organization.trademarks == []


@pytest.mark.parametrize(
    ("trademarks", "kind"),
    [
        ([{"office": "EUIPO"}], "right_holder"),
        ([{"office": "EUIPO", "number": ""}], "right_holder"),
        ([{"office": "   ", "number": "12"}], "right_holder"),
        ([{"office": "X" * 101, "number": "12"}], "right_holder"),
        ([{"office": "EUIPO", "number": "1" * 51}], "right_holder"),
        ([{"office": "EUIPO", "number": str(n)} for n in range(21)], "right_holder"),
        ("EUIPO 018123456", "right_holder"),
        (["EUIPO 018123456"], "right_holder"),
        (TRADEMARKS, "customs"),
    ],
    ids=[
        "no-number",
        "blank-number",
        "blank-office",
        "long-office",
        "long-number",
        "21",
        "text",
        "strings",
        "customs",
    ],
)
def test_bad_trade_marks_are_a_400_naming_them_and_nothing_is_created(register, mailoutbox, trademarks, kind):
    before = counts()
    response = register(trademarks=trademarks, kind=kind)
    assert response.status_code == 400
    assert "trademarks" in response.json()["organization"], response.json()
    assert counts() == before
    assert mailoutbox == []


def test_a_request_to_join_ignores_trade_marks_and_answers_as_a_new_organization_would(register, acme, acme_admin):
    response = register(name="Acme Watches", country="CH", trademarks=TRADEMARKS)
    assert response.status_code == 201
    assert set(response.json()) == {"id", "email", "full_name", "status"}
    acme.refresh_from_db()
    assert acme.trademarks == []
    assert User.objects.get(email="rita@brand.example").organization == acme


def test_the_registration_page_takes_trade_marks_one_a_line(client, password):
    form = {
        "full_name": "Rita Holder",
        "email": "rita@brand.example",
        "password1": password,
        "password2": password,
        "language": "en",
        "organization_kind": "right_holder",
        "organization_name": "Brand Co",
        "country": "CH",
        "trademarks": "EUIPO, 018123456\n\n  INPI , 4567890 \n",
    }
    assert '<textarea name="trademarks"' in client.get("/accounts/register/").content.decode()
    assert client.post("/accounts/register/", form).status_code == 302
    assert User.objects.get(email="rita@brand.example").organization.trademarks == TRADEMARKS


def test_the_registration_page_names_a_bad_trade_mark_line_and_creates_nothing(client, password):
    form = {
        "full_name": "Rita Holder",
        "email": "rita@brand.example",
        "password1": password,
        "password2": password,
        "language": "en",
        "organization_kind": "right_holder",
        "organization_name": "Brand Co",
        "country": "CH",
        "trademarks": "EUIPO, 018123456\nINPI 4567890",
    }
    before = counts()
    response = client.post("/accounts/register/", form)
    assert response.status_code == 200
    assert "Line 2: write the office, a comma, then the number" in response.content.decode()
    assert counts() == before


def test_platform_admins_see_the_trade_marks_and_the_founders_proof_in_the_api(
    register, api, platform_admin, client, mailoutbox
):
    register(trademarks=TRADEMARKS)
    founder = User.objects.get(email="rita@brand.example")
    url = f"/api/v1/admin/organizations/{founder.organization.pk}/"

    answer = api(platform_admin).get(url).json()
    assert answer["trademarks"] == TRADEMARKS
    assert [(f["email"], f["email_verified"]) for f in answer["founders"]] == [(founder.email, False)]
    listed = api(platform_admin).get("/api/v1/admin/organizations/?status=pending").json()["results"]
    assert [o["trademarks"] for o in listed] == [TRADEMARKS]
    person = api(platform_admin).get(f"/api/v1/admin/users/{founder.pk}/").json()
    assert (person["email_verified"], person["email_verified_at"]) == (False, None)

    [message] = [m for m in mailoutbox if m.to == [founder.email]]
    link = message.body.split("/accounts/email/", 1)[1].split("/", 1)[0]
    assert client.get(f"/accounts/email/{link}/").status_code == 200

    answer = api(platform_admin).get(url).json()
    assert [f["email_verified"] for f in answer["founders"]] == [True]
    assert api(platform_admin).get(f"/api/v1/admin/users/{founder.pk}/").json()["email_verified"] is True


def test_platform_admins_see_the_trade_marks_and_the_proof_on_the_pages(register, client, platform_admin):
    register(trademarks=TRADEMARKS)
    organization = Organization.objects.get(name="Brand Co")
    signed_in(client, platform_admin)

    for page in ("/accounts/moderation/", f"/accounts/organizations/{organization.pk}/"):
        html = client.get(page).content.decode()
        assert "EUIPO 018123456" in html and "INPI 4567890" in html, page
        assert "e-mail not proven" in html, page

    founder_id = organization.memberships.get().user_id
    email_proof_confirm(token=make_token(user_id=founder_id, email="rita@brand.example"))
    assert "e-mail proven" in client.get(f"/accounts/organizations/{organization.pk}/").content.decode()


def test_the_people_page_shows_the_proof_to_platform_admins_only(client, platform_admin, acme, acme_admin):
    joiner = member(acme, Role.VIEWER, status=Status.PENDING, email="joe@acme.example")
    assert joiner.email_verified_at is None
    html = signed_in(client, platform_admin).get("/accounts/members/").content.decode()
    assert "joe@acme.example" in html and "e-mail not proven" in html
    client.logout()
    html = signed_in(client, acme_admin).get("/accounts/members/").content.decode()
    assert "joe@acme.example" in html and "e-mail not proven" not in html


# --------------------------------------------------------------------------- who sees it

OTHERS = ["acme_admin", "acme_editor", "officer_fr", "coordinator_fr"]


@pytest.mark.parametrize("persona", OTHERS)
def test_only_platform_admins_read_a_pending_organizations_trade_marks(request, register, api, client, persona):
    register(trademarks=TRADEMARKS)
    organization = Organization.objects.get(name="Brand Co")
    user = request.getfixturevalue(persona)
    for url in (f"/api/v1/admin/organizations/{organization.pk}/", "/api/v1/admin/organizations/"):
        response = api(user).get(url)
        assert response.status_code == 403, (persona, url)
        assert "018123456" not in response.content.decode()
    for page in ("/accounts/moderation/", f"/accounts/organizations/{organization.pk}/"):
        response = signed_in(client, user).get(page)
        assert response.status_code == 403, (persona, page)
        assert "018123456" not in response.content.decode()
    assert api(None).get(f"/api/v1/admin/organizations/{organization.pk}/").status_code == 401


def test_an_organizations_admin_lists_its_members_without_their_proof(api, acme, acme_admin):
    member(acme, Role.VIEWER, status=Status.PENDING, email="joe@acme.example")
    people = api(acme_admin).get("/api/v1/admin/users/").json()["results"]
    assert "joe@acme.example" in {person["email"] for person in people}
    assert all("email_verified" not in person and "email_verified_at" not in person for person in people)


# --------------------------------------------------------------------------- platform admins told


def test_platform_admins_are_told_of_a_new_organization_in_their_language(register, platform_admin, mailoutbox):
    platform_admin.language = "fr"
    platform_admin.save(update_fields=["language"])
    second = User.objects.create_superuser(email="second@platform.example", password="x" * 12, full_name="Sam")

    assert register(trademarks=TRADEMARKS).status_code == 201

    organization = Organization.objects.get(name="Brand Co")
    [event] = Event.objects.filter(kind=REGISTERED)
    assert event.subject_id == organization.pk and event.organization is None
    rows = {row.recipient_id: row for row in Notification.objects.filter(event=event)}
    assert set(rows) == {platform_admin.pk, second.pk}
    assert "Brand Co" in rows[second.pk].title and "Switzerland" in rows[second.pk].title
    assert "Suisse" in rows[platform_admin.pk].title, "the country in the admin's language"
    assert rows[second.pk].link == f"/accounts/organizations/{organization.pk}/"
    told = {tuple(m.to) for m in mailoutbox if m.extra_headers.get("X-IPM-Event") == REGISTERED}
    assert told == {(platform_admin.email,), (second.email,)}


def test_nobody_else_is_told_of_a_new_organization(register, platform_admin, acme_admin, coordinator_fr):
    register()
    [event] = Event.objects.filter(kind=REGISTERED)
    assert set(Notification.objects.filter(event=event).values_list("recipient_id", flat=True)) == {platform_admin.pk}


def test_a_request_to_join_tells_no_platform_admin(register, platform_admin, acme, acme_admin):
    assert register(name="Acme Watches", country="CH").status_code == 201
    assert not Event.objects.filter(kind=REGISTERED).exists()
    assert not Notification.objects.filter(recipient=platform_admin).exists()


def test_the_registration_page_tells_platform_admins_too(
    client, password, platform_admin, django_capture_on_commit_callbacks
):
    form = {
        "full_name": "Rita Holder",
        "email": "rita@brand.example",
        "password1": password,
        "password2": password,
        "language": "en",
        "organization_kind": "customs",
        "organization_name": "Aduana",
        "country": "ES",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/accounts/register/", form).status_code == 302
    assert Notification.objects.filter(recipient=platform_admin, event__kind=REGISTERED).count() == 1


def test_the_platform_admins_e_mail_goes_over_smtp(register, platform_admin, smtp):
    register()
    arrived = [m for rcpt, m in smtp.messages if rcpt == [platform_admin.email]]
    assert len(arrived) == 1
    assert arrived[0]["X-IPM-Event"] == REGISTERED
    assert "Brand Co" in arrived[0]["Subject"]


# --------------------------------------------------------------------------- a rejected name


def test_a_rejected_organizations_name_can_be_registered_again(register, platform_admin):
    assert register(email="first@brand.example").status_code == 201
    rejected = Organization.objects.get(name="Brand Co")
    services.organization_reject(actor=platform_admin, organization=rejected, reason="Not the brand owner")

    response = register(email="second@brand.example", name="brand  co")

    assert response.status_code == 201
    again = User.objects.get(email="second@brand.example")
    assert again.organization != rejected
    assert again.organization.status == Status.PENDING and again.membership.is_founder
    assert Organization.objects.filter(name__iexact="brand co").count() == 2
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED
    assert Event.objects.filter(kind=REGISTERED).count() == 2


def test_a_rejected_organization_cannot_be_approved_once_its_name_is_taken_again(register, api, platform_admin):
    register(email="first@brand.example")
    rejected = Organization.objects.get(name="Brand Co")
    services.organization_reject(actor=platform_admin, organization=rejected, reason="Not the brand owner")
    register(email="second@brand.example")

    response = api(platform_admin).post(f"/api/v1/admin/organizations/{rejected.pk}/approve/", format="json")

    assert response.status_code == 400 and "name" in response.json()
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED


def test_a_suspended_organizations_name_still_takes_no_one(register):
    OrganizationFactory(name="Brand Co", kind=OrganizationKind.RIGHT_HOLDER, country="CH", status=Status.SUSPENDED)
    before = counts()
    response = register()
    assert response.status_code == 400 and "organization" in response.json()
    assert counts() == before
