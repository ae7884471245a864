"""The webhooks API: a right holder's admins manage their own organization's endpoints; the
secret is shown once; everyone else is refused (403), another organization's endpoint is a 404
and absent from lists; lists cost a bounded number of queries."""

from __future__ import annotations

import pytest

from accounts.models import AuditEntry
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytest_plugins = ["tests.webhook_fixtures"]
pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"
REFUSED = ["acme_editor", "acme_viewer", "officer_fr", "coordinator_fr", "platform_admin"]


@pytest.fixture
def acme_endpoint(acme_admin, receiver):
    return services.endpoint_create(actor=acme_admin, url=receiver.url, description="SIEM")


def test_an_admin_creates_an_endpoint_and_sees_the_secret_once(api, acme_admin, receiver):
    response = api(acme_admin).post(
        URL, {"url": receiver.url, "events": ["case.opened", "case.answered"], "description": "SIEM"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "id",
        "url",
        "description",
        "events",
        "enabled",
        "consecutive_failures",
        "disabled_at",
        "created",
        "secret",
    }
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert body["secret"] == endpoint.secret and len(endpoint.secret) == 64
    assert body["enabled"] is True and body["events"] == ["case.opened", "case.answered"]
    assert endpoint.organization == acme_admin.organization and endpoint.created_by == acme_admin
    assert "secret" not in api(acme_admin).get(f"{URL}{body['id']}/").json()
    assert "secret" not in api(acme_admin).get(URL).json()["results"][0]
    assert AuditEntry.objects.filter(action="webhook.created", target_id=str(endpoint.pk)).exists()


def test_two_endpoints_get_different_secrets(acme_admin, receiver):
    first = services.endpoint_create(actor=acme_admin, url=receiver.url)
    second = services.endpoint_create(actor=acme_admin, url=receiver.url)
    assert first.secret != second.secret


def test_unknown_event_kinds_are_a_400(api, acme_admin, receiver):
    response = api(acme_admin).post(URL, {"url": receiver.url, "events": ["case.exploded"]}, format="json")
    assert response.status_code == 400 and "events" in response.json()
    response = api(acme_admin).post(URL, {"url": receiver.url, "events": "case.opened"}, format="json")
    assert response.status_code == 400


def test_an_admin_updates_disables_and_deletes(api, acme_admin, acme_endpoint, receiver):
    client = api(acme_admin)
    response = client.patch(
        f"{URL}{acme_endpoint.pk}/", {"description": "New", "events": ["alert.published"]}, format="json"
    )
    assert response.status_code == 200 and response.json()["description"] == "New"
    assert response.json()["events"] == ["alert.published"]
    response = client.patch(f"{URL}{acme_endpoint.pk}/", {"enabled": False}, format="json")
    assert response.status_code == 200 and response.json()["enabled"] is False
    response = client.patch(f"{URL}{acme_endpoint.pk}/", {"enabled": True}, format="json")
    assert response.status_code == 200 and response.json()["enabled"] is True
    assert client.delete(f"{URL}{acme_endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert AuditEntry.objects.filter(action="webhook.deleted").exists()


def test_other_right_holders_admin_neither_sees_nor_touches_it(api, other_rightholder, acme_endpoint):
    client = api(other_rightholder)
    assert client.get(URL).json()["count"] == 0
    item = f"{URL}{acme_endpoint.pk}/"
    assert client.get(item).status_code == 404
    assert client.patch(item, {"description": "x"}, format="json").status_code == 404
    assert client.delete(item).status_code == 404
    assert client.post(f"{item}test/").status_code == 404
    assert client.post(f"{item}enable/").status_code == 404
    assert client.get(f"{item}deliveries/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=acme_endpoint.pk, description="SIEM").exists()
    assert not WebhookDelivery.objects.exists()


def test_other_right_holders_admin_lists_only_their_own(api, other_rightholder, acme_endpoint, receiver):
    own = services.endpoint_create(actor=other_rightholder, url=receiver.url)
    assert [row["id"] for row in api(other_rightholder).get(URL).json()["results"]] == [own.pk]


@pytest.mark.parametrize("persona", REFUSED)
def test_everyone_but_the_organizations_admins_is_refused(request, api, persona, acme_endpoint, receiver):
    client = api(request.getfixturevalue(persona))
    item = f"{URL}{acme_endpoint.pk}/"
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"url": receiver.url}, format="json").status_code == 403
    assert client.get(item).status_code == 403
    assert client.patch(item, {"description": "x"}, format="json").status_code == 403
    assert client.delete(item).status_code == 403
    assert client.post(f"{item}test/").status_code == 403
    assert client.post(f"{item}enable/").status_code == 403
    assert client.get(f"{item}deliveries/").status_code == 403
    assert WebhookEndpoint.objects.count() == 1 and not WebhookDelivery.objects.exists()


def test_anonymous_is_a_401(anonymous, acme_endpoint):
    assert anonymous.get(URL).status_code == 401
    assert anonymous.post(f"{URL}{acme_endpoint.pk}/test/").status_code == 401


def test_the_services_refuse_a_non_admin(acme_editor, acme_endpoint, receiver):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.endpoint_create(actor=acme_editor, url=receiver.url)
    with pytest.raises(PermissionDenied):
        services.endpoint_send_test(actor=acme_editor, endpoint=acme_endpoint)


def test_bad_ids_and_bodies_are_4xx(api, acme_admin):
    client = api(acme_admin)
    assert client.get(f"{URL}abc/").status_code == 404
    assert client.get(f"{URL}999999/").status_code == 404
    assert client.post(URL, {}, format="json").status_code == 400
    assert client.post(URL, {"url": "x" * 600}, format="json").status_code == 400
    assert client.post(URL, "not json", content_type="application/json").status_code == 400


def test_lists_cost_a_bounded_number_of_queries(
    api, acme_admin, acme_endpoint, receiver, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for _ in range(5):
        services.endpoint_create(actor=acme_admin, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(8):
            services.endpoint_send_test(actor=acme_admin, endpoint=acme_endpoint)
    client = api(acme_admin)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.json()["count"] == 6
    with django_assert_max_num_queries(8):
        response = client.get(f"{URL}{acme_endpoint.pk}/deliveries/")
    body = response.json()
    assert body["count"] == 8 and {row["status"] for row in body["results"]} == {"delivered"}
    assert body["results"][0]["event"] == "webhook.test"
