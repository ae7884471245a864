"""Fixtures and helpers shared by the guide page tests (loaded by the test_guides_web_* modules
through `pytest_plugins`; no tests here).

Acme's brand_fr (visible only to France) gets two guides: `draft_guide` (version 1 a draft, one
indicator) and `published_guide` (version 1 published, a decisive and a supporting indicator).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from authentication_guides import services
from uploads.images import clean_image
from uploads.testing import image_bytes, picture

BACKEND = "django.contrib.auth.backends.ModelBackend"


def png(name: str = "p.png", color=None) -> SimpleUploadedFile:
    """A PNG upload; `color` makes its content (and so its stored bytes) recognisable."""
    data = image_bytes("PNG", image=picture(color=color)) if color else image_bytes("PNG")
    return SimpleUploadedFile(name, data, content_type="image/png")


def add_indicator(actor, guide, title: str, importance: str = "strong", order: int | None = None, **fields):
    data = {"title": title, "importance": importance, "kind": "check", **fields}
    if order is not None:
        data["order"] = order
    return services.indicator_add(
        actor=actor,
        guide=guide,
        data=data,
        genuine_image=clean_image(png("genuine.png", color=(0, 128, 0))),
        counterfeit_image=clean_image(png("fake.png", color=(128, 0, 0))),
    )


def make_guide(actor, brand, title: str = "Spotting a fake Chrono", *, language: str = "en", **data):
    return services.guide_create(actor=actor, brand=brand, data={"title": title, "language": language, **data})


@pytest.fixture
def client_for(client, request):
    """client_for(persona) -> the test client signed in as that persona (not for "anonymous")."""

    def make(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona), backend=BACKEND)
        return client

    return make


@pytest.fixture
def draft_guide(acme_editor, brand_fr):
    guide = make_guide(acme_editor, brand_fr, "Draft guide", summary="Not ready yet.")
    add_indicator(acme_editor, guide, "Draft seam")
    return guide


@pytest.fixture
def published_guide(acme_editor, brand_fr, product_fr):
    guide = make_guide(acme_editor, brand_fr, "Spotting a fake Chrono", summary="Look at the back first.")
    add_indicator(acme_editor, guide, "Logo font", importance="supporting", order=1, location="dial")
    add_indicator(
        acme_editor, guide, "Engraved serial", importance="decisive", order=2, location="case back", kind="check"
    )
    return services.guide_publish(actor=acme_editor, guide=guide)


def indicator_key(guide, title: str):
    version = guide.versions.order_by("-number").first()
    return version.indicators.get(title=title).key
