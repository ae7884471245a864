"""createsuperuser makes an approved platform admin; seed_demo is idempotent and demo-only."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organization, OrganizationKind, Role, Status, User

pytestmark = pytest.mark.django_db


def test_createsuperuser_noinput_makes_an_approved_platform_admin(monkeypatch, api):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "A-long-enough-pass-99")
    monkeypatch.setenv("DJANGO_SUPERUSER_FULL_NAME", "Root Admin")
    call_command("createsuperuser", "--noinput", verbosity=0)
    user = User.objects.get(email="root@example.org")
    assert user.status == Status.APPROVED and user.is_platform_admin and user.has_access
    assert user.organization.kind == OrganizationKind.PLATFORM and user.role == Role.ADMIN
    assert api(user).get("/api/v1/admin/organizations/").status_code == 200


def test_seed_demo_is_idempotent(settings, capsys, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    counts = (User.objects.count(), Organization.objects.count())
    out = capsys.readouterr().out
    assert "admin@demo.example" in out and "officer.fr@demo.example" in out
    call_command("seed_demo")
    assert (User.objects.count(), Organization.objects.count()) == counts
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert kinds == {
        "platform",
        "right_holder",
        "representative",
        "customs",
        "police",
        "market_surveillance",
        "international",
    }
    international = Organization.objects.get(kind="international")
    assert international.jurisdiction_countries == ["DE", "ES", "FR"]
    assert "police.fr@demo.example" in out
    roles = set(User.objects.filter(status=Status.APPROVED).values_list("membership__role", flat=True))
    assert roles == {"admin", "editor", "viewer", "coordinator", "officer"}
    customs_countries = set(Organization.objects.filter(kind="customs").values_list("country", flat=True))
    assert len(customs_countries) == 2
    from authentication_guides.models import Guide
    from brands.models import Brand, Product

    assert Brand.objects.count() == 4 and Product.objects.count() == 11
    assert all(p.images.count() == 3 for p in Product.objects.all())
    assert Guide.objects.filter(status="published").count() == 8


def test_seed_demo_demo_accounts_can_sign_in(settings, anonymous):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    for email in ("officer.fr@demo.example", "lumina.editor@demo.example", "admin@demo.example"):
        response = anonymous.post(
            "/api/v1/auth/token/", {"email": email, "password": "demo-portal-2026"}, format="json"
        )
        assert response.status_code == 200, (email, response.json())
    pending = anonymous.post(
        "/api/v1/auth/token/", {"email": "newcomer.fr@demo.example", "password": "demo-portal-2026"}, format="json"
    )
    assert pending.status_code == 400


def test_seed_demo_refuses_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
