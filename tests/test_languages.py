"""The portal speaks the reader's language: detected from the browser on a first visit, kept as a
cookie for a visitor and saved on the account of a signed-in person (which beats the browser),
stored at registration; dates, numbers and country names written the way French and Spanish
readers write them; e-mails in the recipient's language.

Expected texts come from the catalogues (gettext under `translation.override`) and are checked
to differ from the English source, so that a test cannot pass on an English page."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from alerts import services as alert_services
from authentication_guides.models import GuideViewDay
from notifications.models import Notification

from .alerts_fixtures import alert_data

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures", "tests.test_guides_web_support"]
pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VALID_UNTIL = datetime.date(2027, 3, 15)


def in_language(language: str, text: str) -> str:
    """`text` from the catalogue of `language`, asserted to be translated."""
    with translation.override(language):
        translated = gettext(text)
    assert translated != text, f"{text!r} has no {language} translation: the test would prove nothing"
    return translated


def html_lang(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def sign_in(client, user: User) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(("header", "language"), [("fr-FR,fr;q=0.9,en;q=0.5", "fr"), ("es-ES,es;q=0.8", "es")])
def test_a_first_visit_is_in_the_browsers_language(client, header, language):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE=header)

    assert response.status_code == 200
    assert html_lang(response) == language
    assert response["Content-Language"] == language
    assert f"<h1>{in_language(language, 'Sign in')}</h1>" in response.content.decode()


def test_a_browser_language_the_portal_does_not_have_falls_back_to_english(client):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    assert html_lang(response) == "en"
    assert "<h1>Sign in</h1>" in response.content.decode()


def test_a_visitors_switch_sets_a_cookie_that_beats_the_browser(client):
    response = client.post("/accounts/language/", {"language": "es", "next": LOGIN}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.cookies["django_language"].value == "es"
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr")
    assert html_lang(page) == "es"
    assert in_language("es", "Sign in") in page.content.decode()


def test_a_signed_in_persons_saved_language_beats_the_browser_and_the_cookie(client, officer_fr):
    officer_fr.language = "es"
    officer_fr.save(update_fields=["language"])
    client.cookies["django_language"] = "en"
    sign_in(client, officer_fr)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    assert response.status_code == 200
    assert html_lang(response) == "es"
    assert in_language("es", "Inbox") in response.content.decode()


def test_the_switch_saves_a_signed_in_persons_language_for_every_later_visit(client, officer_fr):
    sign_in(client, officer_fr)
    client.post("/accounts/language/", {"language": "fr", "next": "/"})
    officer_fr.refresh_from_db()
    assert officer_fr.language == "fr"

    # Another browser (no cookie, English headers): the account's language still wins.
    client.cookies.clear()
    sign_in(client, officer_fr)
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en")) == "fr"


# --------------------------------------------------------------------------- registration


def test_registration_stores_the_language_the_page_is_in(client, password):
    page = client.get("/accounts/register/", HTTP_ACCEPT_LANGUAGE="es")
    assert page.context["form"]["language"].value() == "es"  # the language select starts on Spanish
    assert '<option value="es" selected>' in page.content.decode()

    response = client.post(
        "/accounts/register/",
        {
            "full_name": "Rosa Marca",
            "email": "rosa@marca.example",
            "password1": password,
            "password2": password,
            "language": page.context["form"]["language"].value(),
            "organization_kind": "right_holder",
            "organization_name": "Marca SL",
            "country": "ES",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert response.status_code == 302
    assert User.objects.get(email="rosa@marca.example").language == "es"


def test_api_registration_stores_the_requests_language_unless_one_is_given(anonymous, password):
    def register(email, headers, **extra):
        body = {
            "email": email,
            "password": password,
            "full_name": "Fanny Marque",
            "organization": {"kind": "right_holder", "name": f"Org of {email}", "country": "FR"},
            **extra,
        }
        response = anonymous.post("/api/v1/auth/register/", body, format="json", headers=headers)
        assert response.status_code == 201, response.content
        return User.objects.get(email=email).language

    assert register("fanny@marque.example", {"Accept-Language": "fr-FR,fr;q=0.9"}) == "fr"
    assert register("pablo@marca.example", {"Accept-Language": "fr"}, language="es") == "es"
    assert register("nobody@brand.example", {}) == "en"


# --------------------------------------------------------------------------- dates, numbers, countries


@pytest.fixture
def alert_to_fr_and_de(acme_editor, brand_all):
    alert = alert_services.alert_create(
        actor=acme_editor,
        data=alert_data(brand_all, target_countries=["FR", "DE"], valid_until=VALID_UNTIL.isoformat()),
    )
    return alert_services.alert_publish(actor=acme_editor, alert=alert)


@pytest.mark.parametrize(
    ("language", "date", "germany"),
    [
        ("en", "March 15, 2027", "Germany"),
        ("fr", "15 mars 2027", "Allemagne"),
        ("es", "15 de marzo de 2027", "Alemania"),
    ],
)
def test_an_alerts_date_and_countries_are_written_in_the_readers_language(
    client, officer_fr, alert_to_fr_and_de, language, date, germany
):
    officer_fr.language = language
    officer_fr.save(update_fields=["language"])
    sign_in(client, officer_fr)

    response = client.get(f"/alerts/{alert_to_fr_and_de.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html_lang(response) == language
    assert date in html
    assert germany in html


@pytest.mark.parametrize(
    ("language", "number", "germany"),
    [("en", "12,345", "Germany"), ("fr", "12\xa0345", "Allemagne"), ("es", "12\xa0345", "Alemania")],
)
def test_usage_counts_and_countries_are_written_in_the_readers_language(
    client, acme_editor, published_guide, language, number, germany
):
    GuideViewDay.objects.create(guide=published_guide, country="DE", day=timezone.localdate(), views=12345)
    acme_editor.language = language
    acme_editor.save(update_fields=["language"])
    sign_in(client, acme_editor)

    html = client.get("/guides/usage/").content.decode()

    assert 'data-total="12345"' in html  # the machine-readable figure stays plain
    assert f'<p class="usage-total" data-total="12345">{number}</p>' in html
    assert f'<th scope="row">{germany}</th><td class="number">{number}</td>' in html


def test_the_inbox_dates_follow_the_readers_language(
    client, officer_fr, acme_editor, brand_all, django_capture_on_commit_callbacks
):
    officer_fr.language = "fr"
    officer_fr.save(update_fields=["language"])
    alert = alert_services.alert_create(actor=acme_editor, data=alert_data(brand_all, target_countries=["FR"]))
    with django_capture_on_commit_callbacks(execute=True):
        alert_services.alert_publish(actor=acme_editor, alert=alert)
    notification = Notification.objects.get(recipient=officer_fr)
    with translation.override("fr"):
        expected = formats.date_format(timezone.localtime(notification.created), "DATETIME_FORMAT")
    sign_in(client, officer_fr)

    html = client.get("/inbox/").content.decode()

    assert f"<td>{expected}</td>" in html
    assert notification.created.strftime("%Y-%m-%d") not in html


# --------------------------------------------------------------------------- e-mail


def test_an_alert_email_goes_out_in_each_recipients_language(
    officer_fr, officer_de, acme_editor, brand_all, django_capture_on_commit_callbacks
):
    officer_fr.language = "fr"
    officer_fr.save(update_fields=["language"])
    officer_de.language = "es"
    officer_de.save(update_fields=["language"])
    alert = alert_services.alert_create(
        actor=acme_editor,
        data=alert_data(brand_all, target_countries=["FR", "DE"], valid_until=VALID_UNTIL.isoformat()),
    )

    with django_capture_on_commit_callbacks(execute=True):
        alert_services.alert_publish(actor=acme_editor, alert=alert)

    sent = {message.to[0]: message for message in mail.outbox}
    french, spanish = sent[officer_fr.email], sent[officer_de.email]
    assert f"{in_language('fr', 'Valid until')}: 15 mars 2027" in french.body
    assert f"{in_language('es', 'Valid until')}: 15 de marzo de 2027" in spanish.body
    assert "Valid until" not in french.body and "Valid until" not in spanish.body
    assert in_language("fr", "Severity") in french.body and in_language("es", "Severity") in spanish.body


def test_a_password_reset_email_is_in_the_accounts_language_not_the_pages(client, officer_fr, mailoutbox):
    officer_fr.language = "es"
    officer_fr.save(update_fields=["language"])

    response = client.post("/accounts/password-reset/", {"email": officer_fr.email}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 302
    [message] = mailoutbox
    assert message.subject == in_language("es", "Choose a new password for IPM Portal")
    assert in_language("es", "IPM Portal — product authentication for enforcement officers and right holders") in (
        message.body
    )


def test_signing_in_sets_the_cookie_to_the_saved_language_so_signing_out_keeps_it(client, officer_fr, password):
    officer_fr.language = "es"
    officer_fr.save(update_fields=["language"])
    client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr")

    response = client.post(LOGIN, {"username": officer_fr.email, "password": password}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 302
    assert client.cookies["django_language"].value == "es"
    client.post("/accounts/logout/")
    assert html_lang(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr")) == "es"
