"""The first real task: the approval e-mail goes through Redis to a real Celery worker, which
sends it to a real SMTP server, after the transaction commits."""

import time

import pytest

from accounts import services
from accounts.models import Role, Status
from tests.factories import OrganizationFactory, member

pytestmark = [pytest.mark.celery_worker]


def wait_for(predicate, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_approval_email_is_sent_by_a_worker_after_commit(celery_worker, smtp_server):
    celery_worker(EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}")
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser(email="root@example.org", password="x", full_name="Root")
    organization = OrganizationFactory(name="Lumen Optics", status=Status.PENDING)
    founder = member(
        organization, Role.ADMIN, status=Status.PENDING, is_founder=True, email="f@lumen.example", language="fr"
    )

    services.organization_approve(actor=admin, organization=organization, reason="Papiers vérifiés")

    assert wait_for(lambda: smtp_server.messages), "no e-mail reached the SMTP server"
    recipients, message = smtp_server.messages[0]
    assert recipients == [founder.email]
    # Sent by the notification pipeline: the event's kind and id (its idempotency key).
    from core.models import Event

    event = Event.objects.get(kind="account.approved")
    assert message["X-IPM-Event"] == "account.approved"
    assert message["X-IPM-Event-Id"] == str(event.pk)
    text = message.get_body(("plain",)).get_content()
    assert "Lumen Optics" in text and "Papiers vérifiés" in text
    assert message.get_body(("html",)) is not None


def test_rejection_email_carries_the_reason(celery_worker, smtp_server):
    celery_worker(EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}")
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser(email="root@example.org", password="x", full_name="Root")
    organization = OrganizationFactory(name="Shady Goods", status=Status.PENDING)
    member(organization, Role.ADMIN, status=Status.PENDING, is_founder=True, email="s@shady.example")

    services.organization_reject(actor=admin, organization=organization, reason="Not the trade mark owner")

    assert wait_for(lambda: smtp_server.messages)
    _recipients, message = smtp_server.messages[0]
    assert "Not the trade mark owner" in message.get_body(("plain",)).get_content()


def test_password_reset_mail_is_sent_by_the_worker(celery_worker, smtp_server, client):
    celery_worker(EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}")
    organization = OrganizationFactory(name="Reset Co")
    person = member(organization, Role.ADMIN, email="forgetful@reset.example")

    response = client.post("/accounts/password-reset/", {"email": person.email})

    assert response.status_code == 302
    assert wait_for(lambda: smtp_server.messages), "no e-mail reached the SMTP server"
    recipients, message = smtp_server.messages[0]
    assert recipients == [person.email]
    assert "/accounts/password-reset/" in message.get_body(("plain",)).get_content()


def test_thumbnails_are_made_by_the_worker_after_commit(celery_worker, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from brands import services as brand_services
    from brands.models import ProductImage
    from uploads import testing as pictures
    from uploads.images import clean_image

    settings.MEDIA_ROOT = tmp_path
    celery_worker(MEDIA_ROOT=str(tmp_path))
    organization = OrganizationFactory(name="Thumb Co")
    editor = member(organization, Role.EDITOR)
    brand = brand_services.brand_create(actor=editor, data={"name": "Thumb"})
    product = brand_services.product_create(actor=editor, brand=brand, data={"name": "Thing"})
    upload = SimpleUploadedFile("p.jpg", pictures.image_bytes("JPEG", image=pictures.picture(size=(2000, 1500))))

    picture = brand_services.product_image_add(actor=editor, product=product, image=clean_image(upload))

    assert wait_for(lambda: ProductImage.objects.get(pk=picture.pk).thumb_small), "no thumbnail was made"
    picture.refresh_from_db()
    assert (tmp_path / picture.thumb_small.name).exists() and (tmp_path / picture.thumb_large.name).exists()
    from PIL import Image

    with Image.open(tmp_path / picture.thumb_large.name) as large:
        assert max(large.size) == 1280
