"""The enforcement network on the accounts side (issue 13): every enforcement kind registers
and is moderated like customs, an international body's jurisdiction is set by a platform admin
(API and moderation page, audited), the moderation lists filter by kind, and officers' pages say
which agency they serve."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import AuditAction, AuditEntry, Organization, OrganizationKind, Role, Status, User
from core.roles import AGENCY_KINDS
from core.scope import scope_of

from .factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.network_fixtures"]

BACKEND = "django.contrib.auth.backends.ModelBackend"
REGISTER_API = "/api/v1/auth/register/"
REGISTER_PAGE = "/accounts/register/"
ORGANIZATIONS_API = "/api/v1/admin/organizations/"
NATIONAL_AGENCIES = [kind for kind in AGENCY_KINDS if kind != OrganizationKind.INTERNATIONAL]


def org_url(organization: Organization, verb: str = "") -> str:
    return f"{ORGANIZATIONS_API}{organization.pk}/" + (f"{verb}/" if verb else "")


def registration(password: str, kind: str, name: str, country: str, email: str = "new@agency.example") -> dict:
    return {
        "email": email,
        "password": password,
        "full_name": "New Officer",
        "organization": {"kind": kind, "name": name, "country": country},
    }


@pytest.fixture
def signed_in(client):
    def sign_in(user: User):
        client.force_login(user, backend=BACKEND)
        return client

    return sign_in


@pytest.fixture
def pending_international(password) -> Organization:
    """An international body as it registers: pending, no jurisdiction yet, its founder pending."""
    founder = services.register_account(
        email="founder@office.example",
        password=password,
        full_name="Olga Office",
        organization_kind=OrganizationKind.INTERNATIONAL,
        organization_name="Baltic Customs Office",
        country="LV",
    )
    return founder.organization


# --------------------------------------------------------------------------- registration


@pytest.mark.parametrize("kind", [kind.value for kind in AGENCY_KINDS])
def test_every_enforcement_kind_registers_pending_and_its_founder_becomes_coordinator_on_approval(
    anonymous, api, platform_admin, password, kind
):
    response = anonymous.post(REGISTER_API, registration(password, kind, "Agence de contrôle", "FR"), format="json")
    assert response.status_code == 201, response.content
    founder = User.objects.get(email="new@agency.example")
    organization = founder.organization
    assert (organization.kind, organization.status, founder.status) == (kind, Status.PENDING, Status.PENDING)
    assert founder.membership.is_founder
    assert scope_of(founder).is_nobody, "nothing before approval"
    assert AuditEntry.objects.filter(
        action=AuditAction.ORGANIZATION_REGISTERED, target_id=str(organization.pk)
    ).exists()

    admin = api(platform_admin)
    if kind == OrganizationKind.INTERNATIONAL:
        assert admin.patch(org_url(organization), {"jurisdiction": ["FR", "BE"]}, format="json").status_code == 200
    approved = admin.post(org_url(organization, "approve"), {"reason": "checked"}, format="json")
    assert approved.status_code == 200, approved.content

    founder = User.objects.get(pk=founder.pk)
    assert founder.status == Status.APPROVED and founder.role == Role.COORDINATOR
    scope = scope_of(founder)
    assert scope.is_enforcement and scope.kind == kind
    assert scope.jurisdiction == (("BE", "FR") if kind == OrganizationKind.INTERNATIONAL else ("FR",))


def test_a_request_to_join_an_existing_police_force_makes_an_officer(
    anonymous, api, password, police_fr, police_coordinator_fr, mailoutbox, django_capture_on_commit_callbacks
):
    body = registration(password, "police", "police NATIONALE", "FR", email="newcomer@police.example")
    with django_capture_on_commit_callbacks(execute=True):
        assert anonymous.post(REGISTER_API, body, format="json").status_code == 201
    newcomer = User.objects.get(email="newcomer@police.example")
    assert newcomer.organization == police_fr
    assert newcomer.status == Status.PENDING
    assert newcomer.role == Role.OFFICER and not newcomer.membership.is_founder
    assert Organization.objects.filter(kind="police").count() == 1
    told = [message.to for message in mailoutbox if message.extra_headers.get("X-IPM-Event")]
    assert told == [[police_coordinator_fr.email]], "the coordinator is told"
    assert ["newcomer@police.example"] in [message.to for message in mailoutbox], "the link proving the address"

    # The police force's coordinator approves the request.
    response = api(police_coordinator_fr).post(f"/api/v1/admin/users/{newcomer.pk}/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    newcomer = User.objects.get(pk=newcomer.pk)
    assert newcomer.status == Status.APPROVED and newcomer.role == Role.OFFICER
    assert scope_of(newcomer).kind == "police"


def test_the_same_name_under_another_enforcement_kind_is_a_new_organization(anonymous, password, police_fr):
    """Joining needs the same kind, name and country: a market surveillance authority of the
    same name is a new organization, and the police force gains nobody."""
    body = registration(password, "market_surveillance", "Police nationale", "FR")
    assert anonymous.post(REGISTER_API, body, format="json").status_code == 201
    founder = User.objects.get(email="new@agency.example")
    assert founder.organization != police_fr
    assert (founder.organization.kind, founder.organization.status) == ("market_surveillance", "pending")
    assert founder.membership.is_founder
    assert not police_fr.memberships.exists()


@pytest.mark.parametrize("kind", ["platform", "customs_broker", "", None])
def test_registering_an_unknown_kind_is_refused_on_organization(anonymous, password, kind):
    response = anonymous.post(REGISTER_API, registration(password, kind, "Somebody", "FR"), format="json")
    assert response.status_code == 400
    assert "kind" in response.json()["organization"]
    assert not User.objects.filter(email="new@agency.example").exists()


def test_the_service_refuses_an_unknown_kind_on_organization(password):
    with pytest.raises(ValidationError) as refused:
        services.register_account(
            email="x@example.org",
            password=password,
            full_name="X",
            organization_kind="platform",
            organization_name="Sneaky Platform",
            country="FR",
        )
    assert "organization" in refused.value.message_dict


def test_the_registration_page_offers_every_kind_with_a_clear_label(client):
    html = client.get(REGISTER_PAGE).content.decode()
    labels = {
        "right_holder": "Right holder (a brand owner)",
        "customs": "Customs administration",
        "police": "Police force",
        "market_surveillance": "Market surveillance authority",
        "anti_fraud": "Anti-fraud agency",
        "international": "International body (such as INTERPOL, Europol or OLAF)",
    }
    for value, label in labels.items():
        assert f'value="{value}"' in html, value
        assert label in html, label
    assert 'value="platform"' not in html
    assert "the platform sets the countries it covers" in html


def test_a_police_force_registers_in_the_browser(client, password):
    response = client.post(
        REGISTER_PAGE,
        {
            "full_name": "Pierre Agent",
            "email": "pierre@gendarmerie.example",
            "password1": password,
            "password2": password,
            "language": "fr",
            "organization_kind": "police",
            "organization_name": "Gendarmerie nationale",
            "country": "FR",
        },
    )
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(email="pierre@gendarmerie.example")
    assert (user.organization.kind, user.organization.status, user.role) == ("police", "pending", "coordinator")


def test_the_registration_page_refuses_an_unknown_kind_next_to_the_field(client, password):
    response = client.post(
        REGISTER_PAGE,
        {
            "full_name": "Pat",
            "email": "pat@example.org",
            "password1": password,
            "password2": password,
            "language": "en",
            "organization_kind": "platform",
            "organization_name": "Pat Co",
            "country": "FR",
        },
    )
    assert response.status_code == 200
    assert "organization_kind" in response.context["form"].errors
    assert not User.objects.filter(email="pat@example.org").exists()


# --------------------------------------------------------------------------- jurisdiction: the service


def test_setting_a_jurisdiction_stores_it_sorted_once_each_and_audits_it(platform_admin, international_eu):
    services.organization_set_jurisdiction(
        actor=platform_admin, organization=international_eu, countries=["it", "FR", " fr", "AT"], ip="10.0.0.1"
    )
    international_eu.refresh_from_db()
    assert international_eu.jurisdiction == ["AT", "FR", "IT"]
    entry = AuditEntry.objects.get(action=AuditAction.ORGANIZATION_JURISDICTION_CHANGED)
    assert entry.actor == platform_admin and entry.organization == international_eu
    assert entry.details == {"before": ["DE", "ES", "FR"], "after": ["AT", "FR", "IT"]}
    assert entry.ip_address == "10.0.0.1"


def test_setting_the_same_jurisdiction_again_writes_nothing(platform_admin, international_eu):
    services.organization_set_jurisdiction(
        actor=platform_admin, organization=international_eu, countries=["FR", "DE", "ES"]
    )
    assert not AuditEntry.objects.filter(action=AuditAction.ORGANIZATION_JURISDICTION_CHANGED).exists()


@pytest.mark.parametrize("countries", [[], None, ["XX"], ["FR", "France"], "FR, ZZ", {"FR": True}, 42], ids=repr)
def test_an_empty_or_invalid_jurisdiction_is_refused_on_jurisdiction(platform_admin, international_eu, countries):
    with pytest.raises(ValidationError) as refused:
        services.organization_set_jurisdiction(
            actor=platform_admin, organization=international_eu, countries=countries
        )
    assert set(refused.value.message_dict) == {"jurisdiction"}
    international_eu.refresh_from_db()
    assert international_eu.jurisdiction == ["DE", "ES", "FR"]


@pytest.mark.parametrize("kind", [kind.value for kind in NATIONAL_AGENCIES] + ["right_holder"])
def test_a_national_organization_s_jurisdiction_cannot_be_set(platform_admin, kind):
    organization = OrganizationFactory(kind=kind, country="FR")
    with pytest.raises(ValidationError) as refused:
        services.organization_set_jurisdiction(actor=platform_admin, organization=organization, countries=["DE"])
    assert set(refused.value.message_dict) == {"jurisdiction"}
    organization.refresh_from_db()
    assert organization.jurisdiction == [] and organization.jurisdiction_countries == ["FR"]


@pytest.mark.parametrize("persona", ["acme_admin", "international_officer", "police_coordinator_fr", "coordinator_fr"])
def test_only_platform_admins_set_a_jurisdiction(request, international_eu, persona):
    with pytest.raises(PermissionDenied):
        services.organization_set_jurisdiction(
            actor=request.getfixturevalue(persona), organization=international_eu, countries=["IT"]
        )


def test_an_international_body_is_approved_only_once_its_jurisdiction_is_set(platform_admin, pending_international):
    with pytest.raises(ValidationError) as refused:
        services.organization_approve(actor=platform_admin, organization=pending_international)
    assert set(refused.value.message_dict) == {"jurisdiction"}
    pending_international.refresh_from_db()
    assert pending_international.status == Status.PENDING

    services.organization_set_jurisdiction(
        actor=platform_admin, organization=pending_international, countries=["LV", "LT", "EE"]
    )
    services.organization_approve(actor=platform_admin, organization=pending_international)
    founder = User.objects.get(email="founder@office.example")
    assert founder.status == Status.APPROVED and founder.role == Role.COORDINATOR
    assert scope_of(founder).jurisdiction == ("EE", "LT", "LV")


# --------------------------------------------------------------------------- jurisdiction: the API

ORGANIZATION_FIELDS = {
    "id",
    "name",
    "kind",
    "country",
    "jurisdiction",
    "status",
    "status_reason",
    "created",
    "members",
    "trademarks",
    "founders",
}


def test_the_admin_api_shows_every_organization_s_jurisdiction(api, platform_admin, police_fr, international_eu):
    client = api(platform_admin)
    body = client.get(org_url(international_eu)).json()
    assert set(body) == ORGANIZATION_FIELDS
    assert (body["kind"], body["country"], body["jurisdiction"]) == ("international", "BE", ["DE", "ES", "FR"])
    # Any other organization's jurisdiction is its country.
    assert client.get(org_url(police_fr)).json()["jurisdiction"] == ["FR"]


def test_the_admin_api_filters_organizations_by_kind_and_status(
    api, platform_admin, police_fr, market_de, international_eu, customs_fr
):
    pending_police = OrganizationFactory(name="Policía Nacional", kind="police", country="ES", status=Status.PENDING)
    client = api(platform_admin)

    def names(query: str) -> set[str]:
        response = client.get(f"{ORGANIZATIONS_API}?{query}")
        assert response.status_code == 200, response.content
        return {row["name"] for row in response.json()["results"]}

    assert names("kind=police") == {"Police nationale", "Policía Nacional"}
    assert names("kind=police&status=pending") == {"Policía Nacional"}
    assert names("kind=international") == {international_eu.name}
    assert names("kind=market_surveillance") == {market_de.name}
    assert pending_police.name not in names("status=approved")
    assert client.get(f"{ORGANIZATIONS_API}?kind=spies").status_code == 400


def test_a_platform_admin_patches_an_international_body_s_jurisdiction(api, platform_admin, international_eu):
    response = api(platform_admin).patch(
        org_url(international_eu), {"jurisdiction": ["pt", "ES", "PT"], "name": "Renamed"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["jurisdiction"] == ["ES", "PT"]
    assert body["name"] == international_eu.name, "only the jurisdiction is written"
    international_eu.refresh_from_db()
    assert international_eu.jurisdiction == ["ES", "PT"]
    entry = AuditEntry.objects.get(action=AuditAction.ORGANIZATION_JURISDICTION_CHANGED)
    assert entry.actor == platform_admin and entry.ip_address == "127.0.0.1"


def test_the_jurisdiction_is_set_before_approval_through_the_api(api, platform_admin, pending_international):
    client = api(platform_admin)
    refused = client.post(org_url(pending_international, "approve"), {"reason": "ok"}, format="json")
    assert refused.status_code == 400
    assert "jurisdiction" in refused.json()
    assert client.patch(org_url(pending_international), {"jurisdiction": ["LV"]}, format="json").status_code == 200
    approved = client.post(org_url(pending_international, "approve"), {"reason": "ok"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved" and approved.json()["jurisdiction"] == ["LV"]


@pytest.mark.parametrize(
    "body",
    [
        {"jurisdiction": []},
        {"jurisdiction": ["XX"]},
        {"jurisdiction": ["FR", "France"]},
        {"jurisdiction": "FR"},
        {"jurisdiction": None},
        {"jurisdiction": [["FR"]]},
    ],
    ids=repr,
)
def test_an_empty_or_invalid_jurisdiction_is_a_400_naming_it(api, platform_admin, international_eu, body):
    response = api(platform_admin).patch(org_url(international_eu), body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"jurisdiction"}
    international_eu.refresh_from_db()
    assert international_eu.jurisdiction == ["DE", "ES", "FR"]


@pytest.mark.parametrize("fixture", ["police_fr", "market_de", "customs_fr", "acme"])
def test_patching_a_national_organization_s_jurisdiction_is_a_400_naming_it(api, platform_admin, request, fixture):
    organization = request.getfixturevalue(fixture)
    country = organization.country.code
    response = api(platform_admin).patch(org_url(organization), {"jurisdiction": [country]}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"jurisdiction"}
    organization.refresh_from_db()
    assert organization.jurisdiction == []
    assert not AuditEntry.objects.filter(action=AuditAction.ORGANIZATION_JURISDICTION_CHANGED).exists()


def test_put_is_not_offered(api, platform_admin, international_eu):
    response = api(platform_admin).put(org_url(international_eu), {"jurisdiction": ["IT"]}, format="json")
    assert response.status_code == 405


@pytest.mark.parametrize(
    "persona",
    [
        "platform_admin",
        "acme_admin",
        "acme_editor",
        "officer_fr",
        "coordinator_fr",
        "police_officer_fr",
        "police_coordinator_fr",
        "market_officer_de",
        "international_officer",
        "international_officer_it",
        "anonymous",
    ],
)
def test_who_may_patch_a_jurisdiction(api, request, international_eu, persona):
    client = request.getfixturevalue("anonymous") if persona == "anonymous" else api(request.getfixturevalue(persona))
    response = client.patch(org_url(international_eu), {"jurisdiction": ["IT"]}, format="json")
    # The organization endpoints serve platform admins alone: 403 for everyone else signed in.
    expected = {"platform_admin": 200, "anonymous": 401}.get(persona, 403)
    assert response.status_code == expected, response.content
    international_eu.refresh_from_db()
    assert international_eu.jurisdiction == (["IT"] if persona == "platform_admin" else ["DE", "ES", "FR"])


def test_the_international_body_s_own_coordinator_cannot_widen_its_jurisdiction(api, international_eu):
    coordinator = member(international_eu, Role.COORDINATOR, is_founder=True, email="chief@eu-office.example")
    response = api(coordinator).patch(
        org_url(international_eu), {"jurisdiction": ["DE", "ES", "FR", "IT"]}, format="json"
    )
    assert response.status_code == 403
    international_eu.refresh_from_db()
    assert international_eu.jurisdiction == ["DE", "ES", "FR"]


# --------------------------------------------------------------------------- jurisdiction: the scope


def test_an_international_officer_s_next_request_sees_the_new_jurisdiction(
    signed_in, api, platform_admin, international_officer
):
    client = signed_in(international_officer)
    before = client.get("/")
    assert before.wsgi_request.user._scope.jurisdiction == ("DE", "ES", "FR")

    response = api(platform_admin).patch(
        org_url(international_officer.organization), {"jurisdiction": ["IT", "FR"]}, format="json"
    )
    assert response.status_code == 200

    after = client.get("/")
    assert after.wsgi_request.user._scope.jurisdiction == ("FR", "IT")
    assert after.wsgi_request.user._scope.cache_key != before.wsgi_request.user._scope.cache_key
    assert "International body: FR, IT" in after.content.decode()
    # And through a token, as the API sees it.
    token_client = api(international_officer)
    assert token_client.get("/api/v1/me/").wsgi_request.user._scope.jurisdiction == ("FR", "IT")


# --------------------------------------------------------------------------- moderation pages


def test_the_moderation_page_of_an_international_body_shows_and_sets_its_jurisdiction(
    signed_in, platform_admin, international_eu
):
    client = signed_in(platform_admin)
    page = client.get(f"/accounts/organizations/{international_eu.pk}/")
    html = page.content.decode()
    assert "Germany, Spain, France" in html
    assert f'action="/accounts/organizations/{international_eu.pk}/jurisdiction/"' in html
    assert page.context["jurisdiction_form"].initial == {"countries": "DE, ES, FR"}
    assert "Two-letter ISO 3166-1 country codes" in html

    saved = client.post(f"/accounts/organizations/{international_eu.pk}/jurisdiction/", {"countries": "fr, it,\nES"})
    assert saved.status_code == 302
    assert saved["Location"] == f"/accounts/organizations/{international_eu.pk}/"
    international_eu.refresh_from_db()
    assert international_eu.jurisdiction == ["ES", "FR", "IT"]
    assert AuditEntry.objects.filter(
        action=AuditAction.ORGANIZATION_JURISDICTION_CHANGED, actor=platform_admin
    ).exists()
    shown = client.get(saved["Location"])
    assert "covers ES, FR, IT" in shown.content.decode()


@pytest.mark.parametrize(("countries", "message"), [("", "Give at least one country."), ("FR, XX", "XX")])
def test_the_moderation_page_shows_a_refused_jurisdiction_on_its_field(
    signed_in, platform_admin, international_eu, countries, message
):
    client = signed_in(platform_admin)
    response = client.post(f"/accounts/organizations/{international_eu.pk}/jurisdiction/", {"countries": countries})
    assert response.status_code == 400
    form = response.context["jurisdiction_form"]
    assert message in " ".join(form.errors["countries"])
    assert form["countries"].value() == countries
    international_eu.refresh_from_db()
    assert international_eu.jurisdiction == ["DE", "ES", "FR"]


def test_a_national_agency_s_moderation_page_has_no_jurisdiction_form(signed_in, platform_admin, police_fr):
    client = signed_in(platform_admin)
    page = client.get(f"/accounts/organizations/{police_fr.pk}/")
    assert page.context["jurisdiction_form"] is None
    assert "/jurisdiction/" not in page.content.decode()
    assert "France" in page.content.decode()
    refused = client.post(f"/accounts/organizations/{police_fr.pk}/jurisdiction/", {"countries": "DE"})
    assert refused.status_code == 400
    assert refused.context["jurisdiction_form"].errors["countries"]
    police_fr.refresh_from_db()
    assert police_fr.jurisdiction == []


@pytest.mark.parametrize("persona", ["acme_admin", "police_coordinator_fr", "international_officer"])
def test_the_jurisdiction_form_is_the_platform_admins_alone(signed_in, request, international_eu, persona):
    client = signed_in(request.getfixturevalue(persona))
    response = client.post(f"/accounts/organizations/{international_eu.pk}/jurisdiction/", {"countries": "IT"})
    assert response.status_code == 403
    international_eu.refresh_from_db()
    assert international_eu.jurisdiction == ["DE", "ES", "FR"]


def test_the_queue_asks_for_the_countries_before_approving_an_international_body(
    signed_in, platform_admin, pending_international
):
    client = signed_in(platform_admin)
    html = client.get("/accounts/moderation/").content.decode()
    assert "Set the countries it covers, then approve" in html
    assert f"/accounts/organizations/{pending_international.pk}/approve/" not in html

    approve = client.post(f"/accounts/organizations/{pending_international.pk}/approve/", {"reason": ""})
    assert approve.status_code == 302
    pending_international.refresh_from_db()
    assert pending_international.status == Status.PENDING
    messages = [str(message) for message in client.get(approve["Location"]).context["messages"]]
    assert any("Set the countries this international body covers" in message for message in messages)

    client.post(f"/accounts/organizations/{pending_international.pk}/jurisdiction/", {"countries": "LV"})
    html = client.get("/accounts/moderation/").content.decode()
    assert f"/accounts/organizations/{pending_international.pk}/approve/" in html


def test_the_queue_filters_by_kind(signed_in, platform_admin, police_fr, customs_fr, password):
    for kind, name, email in (
        ("police", "Policía Nacional", "p@policia.example"),
        ("market_surveillance", "Inspection du marché", "m@marche.example"),
    ):
        services.register_account(
            email=email,
            password=password,
            full_name="Founder",
            organization_kind=kind,
            organization_name=name,
            country="ES",
        )
    joiner = member(police_fr, Role.OFFICER, status=Status.PENDING, full_name="Jules Joiner")
    customs_joiner = member(customs_fr, Role.OFFICER, status=Status.PENDING, full_name="Cora Customs")
    client = signed_in(platform_admin)

    everything = client.get("/accounts/moderation/")
    assert {o.name for o in everything.context["organizations"]} == {"Policía Nacional", "Inspection du marché"}
    assert {p.pk for p in everything.context["people"]} == {joiner.pk, customs_joiner.pk}
    html = everything.content.decode()
    assert '<select name="kind"' in html
    assert '<option value="market_surveillance">Market surveillance authority</option>' in html

    police = client.get("/accounts/moderation/?kind=police")
    assert [o.name for o in police.context["organizations"]] == ["Policía Nacional"]
    assert [p.pk for p in police.context["people"]] == [joiner.pk]

    market = client.get("/accounts/moderation/?kind=market_surveillance")
    assert [o.name for o in market.context["organizations"]] == ["Inspection du marché"]
    assert list(market.context["people"]) == []

    unknown = client.get("/accounts/moderation/?kind=spies")
    assert unknown.status_code == 200
    assert list(unknown.context["organizations"]) == [] and list(unknown.context["people"]) == []


def test_the_organization_list_filters_by_kind(signed_in, platform_admin, police_fr, market_de, international_eu):
    client = signed_in(platform_admin)
    response = client.get("/accounts/organizations/?kind=international")
    assert [o.name for o in response.context["page"]] == [international_eu.name]
    html = response.content.decode()
    assert '<option value="international" selected>International body</option>' in html
    assert "covers DE, ES, FR" in html
    assert [o.name for o in client.get("/accounts/organizations/?kind=police").context["page"]] == [police_fr.name]


# --------------------------------------------------------------------------- the officer's own pages


def test_me_names_the_organization_s_kind(api, police_officer_fr, market_officer_de, international_officer):
    for officer, kind, country in (
        (police_officer_fr, "police", "FR"),
        (market_officer_de, "market_surveillance", "DE"),
        (international_officer, "international", "BE"),
    ):
        body = api(officer).get("/api/v1/me/").json()
        assert body["role"] == "officer"
        organization = body["organization"]
        assert (organization["kind"], organization["country"], organization["status"]) == (kind, country, "approved")
        assert organization["id"] == officer.organization.pk


@pytest.mark.parametrize(
    ("persona", "served"),
    [
        ("police_officer_fr", "You serve Police nationale (Police, FR) as officer."),
        ("police_coordinator_fr", "You serve Police nationale (Police, FR) as coordinator."),
        ("market_officer_de", "You serve Marktüberwachung (Market surveillance authority, DE) as officer."),
        (
            "international_officer",
            "You serve European Anti-Counterfeiting Office (International body: DE, ES, FR) as officer.",
        ),
        ("officer_fr", "You serve Douane française (Customs administration, FR) as officer."),
    ],
)
def test_the_home_page_says_which_agency_an_officer_serves(signed_in, request, persona, served):
    html = signed_in(request.getfixturevalue(persona)).get("/").content.decode()
    assert served in html


def test_a_right_holder_s_home_page_keeps_its_greeting(signed_in, acme_editor):
    html = signed_in(acme_editor).get("/").content.decode()
    assert "You are signed in as Editor of Acme Watches." in html
    assert "You serve" not in html


def test_the_account_page_says_which_agency_and_where(signed_in, international_officer, police_officer_fr):
    html = signed_in(international_officer).get("/accounts/me/").content.decode()
    assert "European Anti-Counterfeiting Office (International body: DE, ES, FR)" in html
    assert "Germany, Spain, France" in html
    html = signed_in(police_officer_fr).get("/accounts/me/").content.decode()
    assert "Police nationale (Police, FR)" in html


# --------------------------------------------------------------------------- two-factor


def _coordinator_of(kind: str) -> User:
    organization = OrganizationFactory(
        kind=kind, country="FR", jurisdiction=["FR", "BE"] if kind == OrganizationKind.INTERNATIONAL else []
    )
    return member(organization, Role.COORDINATOR, is_founder=True)


@pytest.mark.parametrize("kind", [kind.value for kind in AGENCY_KINDS])
def test_two_factor_is_required_of_every_enforcement_coordinator(signed_in, anonymous, password, settings, kind):
    settings.REQUIRE_2FA = True
    coordinator = _coordinator_of(kind)
    client = signed_in(coordinator)
    assert client.get("/")["Location"] == "/accounts/two-factor/"
    assert "Your role requires two-factor" in client.get("/accounts/two-factor/").content.decode()
    refused = anonymous.post("/api/v1/auth/token/", {"email": coordinator.email, "password": password}, format="json")
    assert refused.status_code == 400 and "otp" in refused.json()


def test_a_police_officer_is_not_required_to_use_two_factor(
    signed_in, anonymous, password, settings, police_officer_fr
):
    settings.REQUIRE_2FA = True
    assert signed_in(police_officer_fr).get("/").status_code == 200
    body = {"email": police_officer_fr.email, "password": password}
    assert anonymous.post("/api/v1/auth/token/", body, format="json").status_code == 200
