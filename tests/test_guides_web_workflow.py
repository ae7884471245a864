"""The workflow buttons on a guide's page: submit for review, publish, archive (the owner's
admins and editors), unpublish with a reason (platform admins). Each works for the right people
only, and a refused step is a message on the page, not an error page."""

from __future__ import annotations

import pytest

from accounts.models import AuditAction, AuditEntry
from authentication_guides import services
from authentication_guides.models import Guide, GuideStatus

from .matrix import ACME_WRITERS, BRAND_FR_READERS, PERSONAS, SIGN_IN, Matrix
from .test_guides_web_support import add_indicator, make_guide

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support"]
pytestmark = pytest.mark.django_db

# The owner's admins and editors submit, publish and archive a guide; platform admins unpublish
# it. Both against the published guide, which everyone who sees brand_fr sees.
OWNERS_BUTTONS = Matrix(readers=BRAND_FR_READERS, writers=ACME_WRITERS, anonymous=SIGN_IN)
UNPUBLISH = Matrix(readers=BRAND_FR_READERS, writers={"platform_admin"}, anonymous=SIGN_IN)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def status_of(guide) -> str:
    return Guide.objects.get(pk=guide.pk).status


def follow(client, response) -> str:
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("persona", ["acme_admin", "acme_editor"])
def test_submit_then_publish_then_archive(client_for, draft_guide, persona):
    client = client_for(persona)
    html = follow(client, client.post(f"/guides/{draft_guide.pk}/submit/"))
    assert status_of(draft_guide) == GuideStatus.IN_REVIEW and "submitted for review" in html
    assert f"/guides/{draft_guide.pk}/submit/" not in html  # nothing more to submit
    html = follow(client, client.post(f"/guides/{draft_guide.pk}/publish/"))
    assert status_of(draft_guide) == GuideStatus.PUBLISHED and "Published: version 1" in html
    assert AuditEntry.objects.filter(action=AuditAction.GUIDE_PUBLISHED, target_id=str(draft_guide.pk)).exists()
    assert f"/guides/{draft_guide.pk}/publish/" not in html  # no draft to publish
    html = follow(client, client.post(f"/guides/{draft_guide.pk}/archive/"))
    assert status_of(draft_guide) == GuideStatus.ARCHIVED and "officers no longer see" in html
    assert AuditEntry.objects.filter(action=AuditAction.GUIDE_ARCHIVED, target_id=str(draft_guide.pk)).exists()


def test_publish_straight_from_draft(client_for, draft_guide):
    client_for("acme_editor").post(f"/guides/{draft_guide.pk}/publish/")
    assert status_of(draft_guide) == GuideStatus.PUBLISHED


def test_publishing_without_indicators_is_refused_with_a_message(client_for, acme_editor, brand_fr):
    guide = make_guide(acme_editor, brand_fr, "Empty")
    client = client_for("acme_editor")
    html = follow(client, client.post(f"/guides/{guide.pk}/publish/"))
    assert "Add at least one indicator before publishing." in html
    assert status_of(guide) == GuideStatus.DRAFT


def test_publishing_with_nothing_new_is_refused_with_a_message(client_for, published_guide):
    client = client_for("acme_editor")
    html = follow(client, client.post(f"/guides/{published_guide.pk}/publish/"))
    assert "There is no draft to publish" in html
    assert Guide.objects.get(pk=published_guide.pk).published_version.number == 1


def test_publishing_a_revision_from_the_page(client_for, acme_editor, published_guide):
    add_indicator(acme_editor, published_guide, "Hologram", importance="decisive")
    client = client_for("acme_editor")
    html = client.get(f"/guides/{published_guide.pk}/").content.decode()
    assert "Publish version 2" in html
    client.post(f"/guides/{published_guide.pk}/publish/")
    assert Guide.objects.get(pk=published_guide.pk).published_version.number == 2
    officer = client_for("officer_fr").get(f"/guides/{published_guide.pk}/").content.decode()
    assert "Hologram" in officer


@pytest.mark.parametrize("persona", sorted(OWNERS_BUTTONS.readers - OWNERS_BUTTONS.writers))
def test_readers_cannot_use_the_owners_buttons(client_for, published_guide, draft_guide, persona):
    client = client_for(persona)
    for action in ("submit", "publish", "archive"):
        response = client.post(f"/guides/{published_guide.pk}/{action}/")
        assert response.status_code == OWNERS_BUTTONS.status(persona, write=True), action
    assert status_of(published_guide) == GuideStatus.PUBLISHED and status_of(draft_guide) == GuideStatus.DRAFT


def test_the_unpublish_form_is_shown_to_platform_admins_on_a_published_guide_only(
    client_for, published_guide, draft_guide
):
    admin = client_for("platform_admin")
    assert (
        f'action="/guides/{published_guide.pk}/unpublish/"'
        in admin.get(f"/guides/{published_guide.pk}/").content.decode()
    )
    assert "/unpublish/" not in admin.get(f"/guides/{draft_guide.pk}/").content.decode()
    for persona in ("acme_admin", "acme_viewer", "officer_fr"):
        html = client_for(persona).get(f"/guides/{published_guide.pk}/").content.decode()
        assert "/unpublish/" not in html, persona


def test_a_platform_admin_unpublishes_with_a_reason(client_for, published_guide):
    client = client_for("platform_admin")
    html = follow(client, client.post(f"/guides/{published_guide.pk}/unpublish/", {"reason": "Misleading pictures"}))
    assert "The guide is unpublished" in html
    guide = Guide.objects.get(pk=published_guide.pk)
    assert guide.status == GuideStatus.DRAFT and guide.moderation_reason == "Misleading pictures"
    entry = AuditEntry.objects.get(action=AuditAction.GUIDE_UNPUBLISHED, target_id=str(guide.pk))
    assert entry.reason == "Misleading pictures"
    assert client_for("officer_fr").get(f"/guides/{guide.pk}/").status_code == 404
    owner = client_for("acme_viewer").get(f"/guides/{guide.pk}/").content.decode()
    assert "Misleading pictures" in owner


def test_unpublishing_needs_a_reason(client_for, published_guide):
    response = client_for("platform_admin").post(f"/guides/{published_guide.pk}/unpublish/", {"reason": "  "})
    assert response.status_code == 400
    assert "reason" in response.context["unpublish_form"].errors
    assert status_of(published_guide) == GuideStatus.PUBLISHED


def test_unpublishing_a_draft_is_refused_with_a_message(client_for, draft_guide):
    client = client_for("platform_admin")
    html = follow(client, client.post(f"/guides/{draft_guide.pk}/unpublish/", {"reason": "x"}))
    assert "Only a published guide can be unpublished." in html
    assert not AuditEntry.objects.filter(action=AuditAction.GUIDE_UNPUBLISHED).exists()


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in UNPUBLISH.writers])
def test_only_platform_admins_unpublish(client_for, published_guide, persona):
    response = client_for(persona).post(f"/guides/{published_guide.pk}/unpublish/", {"reason": "Because"})
    assert response.status_code == UNPUBLISH.status(persona, write=True)
    assert status_of(published_guide) == GuideStatus.PUBLISHED
    assert not AuditEntry.objects.filter(action=AuditAction.GUIDE_UNPUBLISHED).exists()


def test_after_moderation_the_owner_corrects_and_a_platform_admin_publishes_again(
    client_for, acme_editor, platform_admin, published_guide
):
    # Moderation holds against the owner (who may be a counterfeiter posing as one): they correct,
    # a platform admin puts the guide back.
    services.guide_unpublish(actor=platform_admin, guide=published_guide, reason="Wrong serial format")
    client = client_for("acme_editor")
    client.post(
        f"/guides/{published_guide.pk}/edit/",
        {"title": "Corrected", "summary": "Look at the back first.", "language": "en", "visibility": "all"},
    )
    page = client.get(f"/guides/{published_guide.pk}/").content.decode()
    assert f'action="/guides/{published_guide.pk}/publish/"' not in page
    assert client.post(f"/guides/{published_guide.pk}/publish/").status_code == 403
    assert Guide.objects.get(pk=published_guide.pk).status == GuideStatus.DRAFT
    admin = client_for("platform_admin")
    assert "Publish again" in admin.get(f"/guides/{published_guide.pk}/").content.decode()
    html = follow(admin, admin.post(f"/guides/{published_guide.pk}/publish/"))
    guide = Guide.objects.get(pk=published_guide.pk)
    assert (
        guide.status == GuideStatus.PUBLISHED and guide.published_version.number == 2 and not guide.moderation_reason
    )
    assert "Wrong serial format" not in html
