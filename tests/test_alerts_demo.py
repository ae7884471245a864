"""seed_demo loads one published alert to France and one open case, and a joint operation of the
French customs (lead), the Spanish customs and the French police with a dozen tagged cases, two of
which share a subject across organizations (a deconfliction hit shown on both case pages); once,
however often it runs. The French demo officer sees the alert and the case, the Spanish one
neither."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import AuditEntry, User
from alerts.demo import OPERATION_NAME
from alerts.models import (
    Alert,
    AlertStatus,
    Case,
    CaseStatus,
    CaseSubject,
    CaseVerdict,
    DeconflictionHit,
    Operation,
    OperationParticipant,
    ParticipantStatus,
)
from core.models import Event
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path, django_capture_on_commit_callbacks):
    """seed_demo run twice, with what it hands over on commit (notifications) done."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path

    def counts():
        return {
            model.__name__: model.objects.count()
            for model in (
                Alert,
                Case,
                CaseSubject,
                CaseVerdict,
                DeconflictionHit,
                Operation,
                OperationParticipant,
                Event,
                Notification,
                AuditEntry,
            )
        }

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    first = counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    return first, counts()


def test_seed_demo_adds_an_alert_and_a_case_once(capsys, seeded, api):
    assert "Demo alerts and cases ready" in capsys.readouterr().out
    alert = Alert.objects.get()
    case = Case.objects.get(operation=None)
    assert alert.status == AlertStatus.PUBLISHED and alert.target_countries == ["FR"]
    assert case.status == CaseStatus.OPEN and case.country.code == "FR" and case.product is not None
    officer_fr = User.objects.get(email="officer.fr@demo.example")
    officer_es = User.objects.get(email="officer.es@demo.example")
    assert api(officer_fr).get("/api/v1/alerts/").json()["count"] == 1
    assert api(officer_fr).get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert api(officer_es).get("/api/v1/alerts/").json()["count"] == 0
    assert api(officer_es).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    lumina = User.objects.get(email="lumina.viewer@demo.example")
    assert api(lumina).get(f"/api/v1/cases/{case.pk}/").status_code == 200


def test_loading_the_demo_twice_adds_nothing_the_second_time(seeded):
    first, second = seeded
    assert first == second
    assert first["Operation"] == 1 and first["DeconflictionHit"] == 1


def test_the_operation_has_three_participants_and_a_dozen_tagged_cases_within_its_dates(seeded, api):
    operation = Operation.objects.get(name=OPERATION_NAME)
    lead = User.objects.get(email="coordinator.fr@demo.example")
    assert operation.lead == lead.organization
    seats = {seat.organization.name: seat.status for seat in operation.participants.select_related("organization")}
    assert seats == {
        "Douane française (démo)": ParticipantStatus.ACCEPTED,
        "Aduanas de España (demo)": ParticipantStatus.ACCEPTED,
        "Police nationale (démo)": ParticipantStatus.ACCEPTED,
    }
    tagged = list(Case.objects.filter(operation=operation).select_related("organization"))
    assert len(tagged) >= 12
    assert {case.organization.name for case in tagged} == set(seats)
    assert len({case.brand_name for case in tagged}) >= 3
    opened = sorted(case.created.date() for case in tagged)
    assert operation.starts <= opened[0] and opened[-1] <= operation.ends
    assert (opened[-1] - opened[0]).days >= 21, "the cases are spread over weeks"
    answered = CaseVerdict.objects.filter(case__in=tagged).values_list("case", flat=True).distinct().count()
    assert 0 < answered < len(tagged), "verdicts on some cases, not all"
    # The results (counts) add up to the tagged cases, for the lead and for a participant.
    for email in ("coordinator.fr@demo.example", "police.fr@demo.example"):
        response = api(User.objects.get(email=email)).get(f"/api/v1/operations/{operation.pk}/results/")
        assert response.status_code == 200, email
        results = response.json()
        assert results["cases"] == len(tagged)
        assert results["quantity"] == sum(case.quantity for case in tagged)
        assert len(results["over_time"]) >= 3


def test_the_customs_and_police_cases_sharing_a_company_show_the_hit_on_both_pages(seeded, api, client):
    hit = DeconflictionHit.objects.select_related("first__organization", "second__organization").get()
    sides = {hit.first.organization.name: hit.first, hit.second.organization.name: hit.second}
    assert set(sides) == {"Douane française (démo)", "Police nationale (démo)"}
    assert hit.subject_kind == "company"
    customs_case, police_case = sides["Douane française (démo)"], sides["Police nationale (démo)"]
    written = {
        case.pk: CaseSubject.objects.get(case=case, kind="company").value for case in (customs_case, police_case)
    }
    assert written[customs_case.pk] != written[police_case.pk], "the same company, written differently"
    assert max(customs_case.created, police_case.created) == hit.found

    for email, case, other in (
        ("officer.fr@demo.example", customs_case, "Police nationale (démo)"),
        ("police.fr@demo.example", police_case, "Douane française (démo)"),
    ):
        person = User.objects.get(email=email)
        [card] = api(person).get(f"/api/v1/cases/{case.pk}/").json()["deconfliction"]
        assert card["organization"]["name"] == other and card["subject_kind"] == "company"
        client.force_login(person)
        page = client.get(reverse("cases:detail", args=[case.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert f'id="hit-{hit.pk}"' in html and other in html
    # Each side's coordinator was told once; the brand owner sees nothing of it.
    told = Notification.objects.filter(event__kind="deconfliction.hit")
    assert sorted(told.values_list("recipient__email", flat=True)) == [
        "coordinator.fr@demo.example",
        "police.coordinator.fr@demo.example",
    ]
    lumina = User.objects.get(email="lumina.admin@demo.example")
    assert api(lumina).get(f"/api/v1/cases/{police_case.pk}/").json().get("deconfliction") is None
