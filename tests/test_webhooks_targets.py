"""The SSRF guard: webhooks go over HTTPS to public addresses only. Loopback, private,
link-local (cloud metadata) and names resolving to them are refused when the endpoint is saved
and again at delivery (the address checked is the one connected to); the settings that lift
this exist for tests and local development only."""

from __future__ import annotations

import pytest

from webhooks import sending, services, targets
from webhooks.models import WebhookDelivery, WebhookDeliveryStatus

pytest_plugins = ["tests.webhook_fixtures"]
pytestmark = pytest.mark.django_db

REFUSED = [
    "https://127.0.0.1/hook",
    "https://127.1.2.3:8443/hook",
    "https://10.0.0.1/hook",
    "https://172.16.5.4/hook",
    "https://192.168.1.10/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[fe80::1]/hook",
    "https://[fd00::1]/hook",
    "https://0.0.0.0/hook",
    "https://100.64.0.1/hook",
    "https://224.0.0.1/hook",
    "https://localhost/hook",
]


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOWED_PORTS = ["443"]


@pytest.mark.parametrize("url", REFUSED)
def test_non_public_targets_are_refused_on_save(production, api, acme_admin, url):
    response = api(acme_admin).post("/api/v1/webhooks/", {"url": url}, format="json")
    assert response.status_code == 400, response.content
    assert "url" in response.json()
    assert "public" in " ".join(response.json()["url"])


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/hook",  # plain http to a public address
        "ftp://93.184.215.14/hook",
        "file:///etc/passwd",
        "https://user:pw@93.184.215.14/hook",
        "https:///nohost",
        "https://93.184.215.14:99999/hook",
        "not a url",
        "",
    ],
)
def test_anything_but_https_to_a_host_is_refused(production, api, acme_admin, url):
    response = api(acme_admin).post("/api/v1/webhooks/", {"url": url}, format="json")
    assert response.status_code == 400 and "url" in response.json()


def test_a_name_that_does_not_resolve_is_refused_as_not_reachable(production, api, acme_admin):
    response = api(acme_admin).post("/api/v1/webhooks/", {"url": "https://no-such-host.invalid/"}, format="json")
    assert response.status_code == 400 and response.json()["url"] == ["This address is not reachable."]


@pytest.mark.parametrize("url", ["https://localhost/hook", "https://127.0.0.1/hook", "https://[::1]/hook"])
def test_a_refusal_says_not_allowed_and_never_what_the_name_resolved_to(production, api, acme_admin, url):
    """The form must not be a window on the platform's internal DNS."""
    response = api(acme_admin).post("/api/v1/webhooks/", {"url": url}, format="json")
    assert response.status_code == 400
    message = " ".join(response.json()["url"])
    assert "not allowed" in message
    assert "127.0.0.1" not in message and "::1" not in message and "localhost" not in message


@pytest.mark.parametrize(
    "url", ["https://93.184.215.14:8443/hook", "https://93.184.215.14:22/", "https://93.184.215.14:80/"]
)
def test_ports_other_than_443_are_not_allowed_by_default(production, api, acme_admin, url):
    response = api(acme_admin).post("/api/v1/webhooks/", {"url": url}, format="json")
    assert response.status_code == 400 and "not allowed" in " ".join(response.json()["url"])


def test_a_setting_allows_other_ports(production, settings, api, acme_admin):
    settings.WEBHOOKS_ALLOWED_PORTS = ["443", "8443"]
    response = api(acme_admin).post("/api/v1/webhooks/", {"url": "https://93.184.215.14:8443/hook"}, format="json")
    assert response.status_code == 201, response.content
    refused = api(acme_admin).post("/api/v1/webhooks/", {"url": "https://93.184.215.14:8080/hook"}, format="json")
    assert refused.status_code == 400


def test_a_public_https_address_is_accepted(production, api, acme_admin):
    response = api(acme_admin).post("/api/v1/webhooks/", {"url": "https://93.184.215.14/ipm"}, format="json")
    assert response.status_code == 201, response.content


def test_patching_the_url_is_checked_too(production, api, acme_admin):
    created = api(acme_admin).post("/api/v1/webhooks/", {"url": "https://93.184.215.14/ipm"}, format="json").json()
    response = api(acme_admin).patch(
        f"/api/v1/webhooks/{created['id']}/", {"url": "https://169.254.169.254/"}, format="json"
    )
    assert response.status_code == 400 and "url" in response.json()


def test_the_test_setting_allows_loopback_over_http(receiver, api, acme_admin):
    response = api(acme_admin).post("/api/v1/webhooks/", {"url": receiver.url}, format="json")
    assert response.status_code == 201


def test_a_target_turned_private_after_saving_is_refused_at_delivery(
    settings, receiver, acme_admin, django_capture_on_commit_callbacks
):
    """Saved while allowed (as a DNS answer could change later): at delivery the address is
    checked again and nothing is sent."""
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDeliveryStatus.PENDING and delivery.attempts == 1
    assert "public" in delivery.last_error and delivery.last_status_code is None
    assert receiver.requests == []


def test_the_connection_goes_to_the_checked_address(receiver, monkeypatch):
    """A second DNS answer (rebinding) is never asked for: the socket opens to the address the
    check resolved."""
    calls = []
    real = targets.resolve

    def resolve_once(host, port):
        calls.append(host)
        return real(host, port)

    monkeypatch.setattr(targets, "resolve", resolve_once)
    url = receiver.url.replace("127.0.0.1", "localhost")
    target = targets.resolve_target(url)
    assert target.address in ("127.0.0.1", "::1") and target.host == "localhost"
    assert calls == ["localhost"]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("fe80::1%eth0", False),
        ("255.255.255.255", False),
        ("nonsense", False),
    ],
)
def test_public_addresses(address, public):
    assert targets.is_public_address(address) is public


def test_sending_refuses_a_private_target_without_connecting(settings, receiver, acme_admin):
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    from core.models import Event

    event = Event(kind="webhook.test", data={})
    outcome = sending.post(url=endpoint.url, secret=endpoint.secret, event=event)
    assert not outcome.ok and "public" in outcome.error and receiver.requests == []


def test_https_checks_the_certificate_against_the_host_name(
    tls_receiver, acme_admin, monkeypatch, django_capture_on_commit_callbacks
):
    endpoint = services.endpoint_create(actor=acme_admin, url=tls_receiver.url)
    tls_receiver.secret = endpoint.secret
    # A certificate nobody vouches for: refused, nothing received.
    with django_capture_on_commit_callbacks(execute=True):
        first = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    first.refresh_from_db()
    assert first.status == WebhookDeliveryStatus.PENDING and "CERTIFICATE_VERIFY_FAILED" in first.last_error
    assert tls_receiver.requests == []
    # Trusted (as a public CA's would be): delivered over TLS to the checked address, the
    # certificate matched against the URL's host name.
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_receiver.certificate))
    with django_capture_on_commit_callbacks(execute=True):
        second = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    second.refresh_from_db()
    assert second.status == WebhookDeliveryStatus.DELIVERED, second.last_error
    assert len(tls_receiver.requests) == 1 and tls_receiver.requests[0].signature_valid
    assert tls_receiver.requests[0].headers["Host"].startswith("localhost:")
