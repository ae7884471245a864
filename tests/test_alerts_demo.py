"""seed_demo loads one published alert to France and one open case, once however often it runs;
the French demo officer sees both, the Spanish one neither."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import User
from alerts.models import Alert, AlertStatus, Case, CaseStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_an_alert_and_a_case_once(settings, tmp_path, api, capsys):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")
    assert "Demo alerts and cases ready" in capsys.readouterr().out
    alert = Alert.objects.get()
    case = Case.objects.get()
    assert alert.status == AlertStatus.PUBLISHED and alert.target_countries == ["FR"]
    assert case.status == CaseStatus.OPEN and case.country.code == "FR" and case.product is not None
    officer_fr = User.objects.get(email="officer.fr@demo.example")
    officer_es = User.objects.get(email="officer.es@demo.example")
    assert api(officer_fr).get("/api/v1/alerts/").json()["count"] == 1
    assert api(officer_fr).get("/api/v1/cases/").json()["count"] == 1
    assert api(officer_es).get("/api/v1/alerts/").json()["count"] == 0
    assert api(officer_es).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    lumina = User.objects.get(email="lumina.viewer@demo.example")
    assert api(lumina).get(f"/api/v1/cases/{case.pk}/").status_code == 200
