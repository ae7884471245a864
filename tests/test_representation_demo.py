"""seed_demo (issue 16): a law firm appointed by both demo right holders for France and Spain
(Lumina as editor, Atlas as viewer), accepted; applications for action in each state, one of
them (Lumina's, in France) with its extension to ask for within days; once, however often the
demo loads; the firm's people are among the sign-ins printed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import Appointment, AppointmentStatus, User
from applications import workdays
from applications.models import Application, ApplicationStatus
from tests.test_alerts_demo import seeded as seeded_fixture

pytestmark = pytest.mark.django_db
seeded = seeded_fixture


def test_the_firm_is_appointed_by_both_right_holders(capsys, seeded, api):
    out = capsys.readouterr().out
    assert "lexavo.admin@demo.example" in out and "lexavo.editor@demo.example" in out
    appointments = Appointment.objects.select_related("right_holder").order_by("right_holder__name")
    assert [(a.right_holder.name, a.role, a.status, sorted(a.countries)) for a in appointments] == [
        ("Atlas Sportswear", "viewer", AppointmentStatus.ACTIVE, ["ES", "FR"]),
        ("Lumina Watches", "editor", AppointmentStatus.ACTIVE, ["ES", "FR"]),
    ]
    clients = api(User.objects.get(email="lexavo.editor@demo.example")).get("/api/v1/me/clients/").json()
    assert sorted(c["name"] for c in clients["results"]) == ["Atlas Sportswear", "Lumina Watches"]


def test_applications_in_each_state_and_one_near_its_extension_deadline(seeded):
    states = sorted(Application.objects.values_list("right_holder__name", "country", "status"))
    assert states == [
        ("Atlas Sportswear", "ES", ApplicationStatus.REJECTED),
        ("Atlas Sportswear", "FR", ApplicationStatus.GRANTED),
        ("Lumina Watches", "ES", ApplicationStatus.DRAFT),
        ("Lumina Watches", "ES", ApplicationStatus.SUBMITTED),
        ("Lumina Watches", "FR", ApplicationStatus.GRANTED),
    ]
    near = Application.objects.get(right_holder__name="Lumina Watches", country="FR")
    due_by = workdays.extension_due_by(near.valid_until, "FR")
    today = timezone.localdate()
    assert workdays.early_reminder_day(due_by, "FR") <= today < due_by


def test_the_demo_adds_no_appointment_nor_application_the_second_time(seeded):
    first, second = seeded
    assert Appointment.objects.count() == 2 and Application.objects.count() == 5
    assert first == second
