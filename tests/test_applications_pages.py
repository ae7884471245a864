"""Application pages in the browser: the list, "new application" and the draft's form, an
application's page with its status and history, the holder's submit and extension buttons and
the addressed coordinators' grant and reject forms; who sees which (404 for anyone else)."""

from __future__ import annotations

import pytest

from applications.models import Application, ApplicationStatus

from .applications_fixtures import VALID_UNTIL

pytest_plugins = [
    "tests.brand_fixtures",
    "tests.alerts_fixtures",
    "tests.network_fixtures",
    "tests.applications_fixtures",
]
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("acme_viewer", 200),
        ("acme_editor", 200),
        ("platform_admin", 200),
        ("coordinator_fr", 200),
        ("officer_fr", 404),
        ("coordinator_de", 404),
        ("officer_de", 404),
        ("police_coordinator_fr", 404),
        ("other_rightholder", 404),
    ],
)
def test_who_opens_a_submitted_applications_page(client_for, persona, status, submitted):
    response = client_for(persona).get(f"/applications/{submitted.pk}/")
    assert response.status_code == status


@pytest.mark.parametrize("persona", ["police_officer_fr", "officer_de", "other_rightholder"])
def test_the_list_shows_others_nothing(client_for, persona, granted):
    page = client_for(persona).get("/applications/")
    assert page.status_code == 200
    assert f"application-{granted.pk}" not in page.content.decode()


def test_the_list_shows_the_holder_its_applications(client_for, granted, acme_editor, brand_fr):
    from applications import services

    draft = services.application_create(actor=acme_editor, data={"country": "FR", "brands": [brand_fr.pk]})
    page = client_for("acme_viewer").get("/applications/").content.decode()
    assert f'id="application-{draft.pk}"' in page and f'id="application-{granted.pk}"' in page
    assert "/applications/new/" not in page  # a viewer files nothing
    only_granted = client_for("acme_viewer").get("/applications/?status=granted").content.decode()
    assert f'id="application-{draft.pk}"' not in only_granted and f'id="application-{granted.pk}"' in only_granted


def test_an_editor_files_edits_and_submits(client_for, brand_fr, brand_all, customs_fr, coordinator_fr):
    client = client_for("acme_editor")
    assert client.get("/applications/new/").status_code == 200
    response = client.post("/applications/new/", {"country": "FR", "brands": [brand_fr.pk]})
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/applications/{application.pk}/"
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert f"/applications/{application.pk}/edit/" in page and f"/applications/{application.pk}/submit/" in page
    response = client.post(f"/applications/{application.pk}/edit/", {"country": "FR", "brands": [brand_all.pk]})
    assert response.status_code == 302
    assert list(application.brands.values_list("pk", flat=True)) == [brand_all.pk]
    assert client.post(f"/applications/{application.pk}/submit/").status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert 'id="history"' in page and "Submitted" in page
    assert f"/applications/{application.pk}/grant/" not in page
    # The draft is gone: no more editing.
    assert client.get(f"/applications/{application.pk}/edit/").status_code == 302


def test_bad_input_on_the_form_is_a_400(client_for, globex_brand, customs_fr):
    client = client_for("acme_editor")
    assert client.post("/applications/new/", {"country": "FR", "brands": []}).status_code == 400
    assert client.post("/applications/new/", {"country": "FR", "brands": [globex_brand.pk]}).status_code == 400
    assert client.post("/applications/new/", {"country": "PT", "brands": []}).status_code == 400
    assert not Application.objects.exists()


@pytest.mark.parametrize("persona", ["acme_viewer", "coordinator_fr", "officer_fr"])
def test_only_writers_open_the_new_application_form(client_for, persona):
    assert client_for(persona).get("/applications/new/").status_code == 403


def test_a_viewer_sees_no_buttons_and_cannot_submit(client_for, draft):
    client = client_for("acme_viewer")
    page = client.get(f"/applications/{draft.pk}/").content.decode()
    assert "/submit/" not in page and "/edit/" not in page
    assert client.post(f"/applications/{draft.pk}/submit/").status_code == 403
    assert client.get(f"/applications/{draft.pk}/edit/").status_code == 403


def test_a_coordinator_grants_from_the_page(client_for, submitted, today):
    client = client_for("coordinator_fr")
    page = client.get(f"/applications/{submitted.pk}/").content.decode()
    assert f"/applications/{submitted.pk}/grant/" in page and f"/applications/{submitted.pk}/reject/" in page
    assert client.post(f"/applications/{submitted.pk}/grant/", {"valid_until": ""}).status_code == 400
    response = client.post(f"/applications/{submitted.pk}/grant/", {"valid_until": VALID_UNTIL.isoformat()})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.GRANTED and submitted.valid_until == VALID_UNTIL
    page = client.get(f"/applications/{submitted.pk}/").content.decode()
    assert f"/applications/{submitted.pk}/grant/" not in page  # decided


def test_a_late_decision_on_the_page_says_so(client_for, submitted, customs_fr, coordinator_fr, today):
    from applications import services

    from .factories import member

    second = member(customs_fr, "coordinator", email="camille@douane.example")
    services.application_reject(actor=coordinator_fr, application=submitted, reason="No.")
    client = client_for("coordinator_fr")
    client.force_login(second)
    response = client.post(
        f"/applications/{submitted.pk}/grant/", {"valid_until": VALID_UNTIL.isoformat()}, follow=True
    )
    assert "already been decided" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.REJECTED


def test_a_coordinator_rejects_with_a_reason(client_for, submitted):
    client = client_for("coordinator_fr")
    assert client.post(f"/applications/{submitted.pk}/reject/", {"reason": ""}).status_code == 400
    assert client.post(f"/applications/{submitted.pk}/reject/", {"reason": "Not registered here."}).status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reason) == (ApplicationStatus.REJECTED, "Not registered here.")


def test_an_officer_cannot_decide(client_for, granted):
    assert client_for("officer_fr").post(f"/applications/{granted.pk}/reject/", {"reason": "x"}).status_code == 403


def test_the_holder_asks_for_an_extension_from_the_page(client_for, granted):
    client = client_for("acme_admin")
    page = client.get(f"/applications/{granted.pk}/").content.decode()
    assert f"/applications/{granted.pk}/request-extension/" in page and "2026" in page
    assert client.post(f"/applications/{granted.pk}/request-extension/").status_code == 302
    granted.refresh_from_db()
    assert granted.extension_requested is True


def test_an_unknown_step_is_a_404(client_for, draft):
    assert client_for("acme_editor").post(f"/applications/{draft.pk}/approve/").status_code == 404


def test_staff_read_applications_in_the_django_admin(client, platform_admin, granted):
    client.force_login(platform_admin)
    assert client.get("/admin/applications/application/").status_code == 200
    page = client.get(f"/admin/applications/application/{granted.pk}/change/")
    assert page.status_code == 200 and "Douane française" in page.content.decode()
    assert client.get("/admin/applications/application/add/").status_code == 403


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("acme_viewer", True), ("officer_fr", True), ("platform_admin", True), ("police_officer_fr", False)],
)
def test_the_menu_links_to_the_applications(client_for, persona, shown):
    html = client_for(persona).get("/").content.decode()
    assert ('href="/applications/"' in html) == shown
