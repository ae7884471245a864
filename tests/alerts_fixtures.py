"""Fixtures shared by the alert and case tests (loaded through `pytest_plugins`; no tests here).

Acme's `brand_all` (visible to every administration) and `brand_fr` (France only, with
`product_fr`) come from tests.brand_fixtures. `draft_alert` is a draft about brand_fr sent to
France; `published_alert` the same, published. `case_fr` is a case opened by officer_fr about
product_fr.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alerts import services
from uploads.testing import image_bytes

BACKEND = "django.contrib.auth.backends.ModelBackend"


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def alert_data(brand, **extra) -> dict:
    return {
        "brand": brand.pk,
        "title": "Fake Lumina watches via Le Havre",
        "description": "Containers from Ningbo declared as clocks.",
        "severity": "high",
        "target_countries": ["FR"],
        "hs_codes": ["9102.11"],
        "valid_until": in_days(30).isoformat(),
        **extra,
    }


def png(name: str = "p.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def draft_alert(acme_editor, brand_fr):
    return services.alert_create(actor=acme_editor, data=alert_data(brand_fr))


@pytest.fixture
def published_alert(acme_editor, draft_alert):
    return services.alert_publish(actor=acme_editor, alert=draft_alert)


def case_data(brand, product=None, **extra) -> dict:
    return {
        "brand": brand.pk,
        "product": product.pk if product else None,
        "description": "50 watches in a parcel declared as toys.",
        "quantity": 50,
        "location": "Roissy CDG",
        "declared_origin": "CN",
        "perishable": False,
        **extra,
    }


@pytest.fixture
def case_fr(officer_fr, brand_fr, product_fr, acme_admin):
    return services.case_open(actor=officer_fr, data=case_data(brand_fr, product_fr))


@pytest.fixture
def client_for(client, request):
    """client_for(persona) -> the test client signed in as that persona."""

    def make(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona), backend=BACKEND)
        return client

    return make
