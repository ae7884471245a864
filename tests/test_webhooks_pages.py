"""The webhooks page under a right holder admin's account pages: list, add (secret shown once),
send a test event, re-enable, delete, recent deliveries; nobody else gets in, and another
organization's endpoints are neither listed nor reachable."""

from __future__ import annotations

import pytest

from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytest_plugins = ["tests.alerts_fixtures", "tests.webhook_fixtures"]
pytestmark = pytest.mark.django_db

PAGE = "/accounts/webhooks/"


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(client_for, receiver):
    client = client_for("acme_admin")
    assert client.get(PAGE).status_code == 200
    response = client.post(PAGE, {"url": receiver.url, "description": "SIEM", "events": ["case.opened"]})
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    page = response.content.decode()
    assert endpoint.secret in page and receiver.url.replace("&", "&amp;") in page
    assert endpoint.events == ["case.opened"]
    assert endpoint.secret not in client.get(PAGE).content.decode()


def test_a_private_target_is_refused_on_the_form(settings, client_for):
    response = client_for("acme_admin").post(PAGE, {"url": "https://169.254.169.254/"})
    assert response.status_code == 400 and "public addresses only" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_test_enable_and_delete_from_the_page(client_for, acme_admin, receiver, django_capture_on_commit_callbacks):
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)
    receiver.secret = endpoint.secret
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    client = client_for("acme_admin")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{PAGE}{endpoint.pk}/test/").status_code == 302
    assert len(receiver.requests) == 1 and receiver.requests[0].signature_valid
    page = client.get(PAGE).content.decode()
    assert "webhook.test" in page and "Delivered" in page and "Enable again" in page
    assert client.post(f"{PAGE}{endpoint.pk}/enable/").status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active
    assert client.post(f"{PAGE}{endpoint.pk}/delete/").status_code == 302
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("persona", ["acme_editor", "acme_viewer", "officer_fr", "platform_admin"])
def test_others_are_refused(client_for, persona, acme_admin, receiver):
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)
    client = client_for(persona)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"url": receiver.url}).status_code == 403
    for verb in ("test", "enable", "delete"):
        assert client.post(f"{PAGE}{endpoint.pk}/{verb}/").status_code == 403
    assert WebhookEndpoint.objects.count() == 1 and not WebhookDelivery.objects.exists()


def test_anonymous_is_sent_to_sign_in(client_for):
    response = client_for("anonymous").get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_organizations_endpoint_is_a_404(client_for, acme_admin, other_rightholder, receiver):
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url, description="acme-only")
    client = client_for("other_rightholder")
    assert "acme-only" not in client.get(PAGE).content.decode()
    for verb in ("test", "enable", "delete"):
        assert client.post(f"{PAGE}{endpoint.pk}/{verb}/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists() and not WebhookDelivery.objects.exists()


def test_the_page_costs_a_bounded_number_of_queries(
    client_for, acme_admin, receiver, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    endpoints = [services.endpoint_create(actor=acme_admin, url=receiver.url) for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        for endpoint in endpoints:
            for _ in range(12):
                services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    client = client_for("acme_admin")
    with django_assert_max_num_queries(15):
        page = client.get(PAGE).content.decode()
    # Ten recent deliveries per endpoint.
    assert page.count("<td>webhook.test ") == 40


@pytest.mark.parametrize(
    ("persona", "linked"), [("acme_admin", True), ("acme_editor", False), ("coordinator_fr", False)]
)
def test_the_home_page_links_to_webhooks_for_right_holder_admins(client_for, persona, linked):
    html = client_for(persona).get("/").content.decode()
    assert ('href="/accounts/webhooks/"' in html) is linked
