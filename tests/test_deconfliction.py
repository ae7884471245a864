"""Case subjects and hit/no-hit deconfliction (issue 14; DESIGN.md, "Coordination"): the normal
form of each kind, a hit between two organizations recorded once per pair and told to exactly
both sides' coordinators, never within one organization, never to the brand owner."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from alerts import services
from alerts.models import CaseSubject, DeconflictionHit
from alerts.selectors import decorate_cases
from alerts.subjects import clean_subjects, normal_form
from notifications.models import Notification

from .alerts_fixtures import case_data

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures", "tests.network_fixtures"]


@pytest.mark.parametrize(
    ("kind", "one", "other", "country"),
    [
        ("company", "ACME Trading Co., Ltd.", "acme trading co ltd", ""),
        ("company", "Société Générale d'Import", "SOCIETE GENERALE D IMPORT", ""),
        ("website", "https://www.shop.example/store/123", "shop.example/store/123", ""),
        ("website", "HTTP://Shop.Example/store/123/?ref=ad#top", "shop.example/store/123", ""),
        ("phone", "+33 6 12 34 56 78", "0033612345678", "DE"),
        ("phone", "06 12 34 56 78", "+33612345678", "FR"),
        ("container", "CSQU 305438-3", "csqu3054383", ""),
        ("email", " Sales@Shop.Example ", "sales@shop.example", ""),
        ("marketplace_shop", "www.market.example/s/best", "https://market.example/s/best/", ""),
        ("vehicle", "AB-123-CD", "ab 123 cd", ""),
    ],
)
def test_spellings_of_one_subject_have_one_normal_form(kind, one, other, country):
    assert normal_form(kind, one, country) == normal_form(kind, other, country) != ""


@pytest.mark.parametrize(
    ("kind", "one", "other", "country"),
    [
        ("company", "ACME Trading", "ACME Trading Co", ""),
        ("website", "shop.example/store/123", "shop.example/store/124", ""),
        ("website", "shop.example/store", "othershop.example/store", ""),
        ("phone", "06 12 34 56 78", "06 12 34 56 78", "FR|DE"),
        ("phone", "+33612345678", "+33612345679", ""),
        ("email", "a@shop.example", "b@shop.example", ""),
    ],
)
def test_different_subjects_do_not_meet(kind, one, other, country):
    first, _, second = country.partition("|")
    assert normal_form(kind, one, first) != normal_form(kind, other, second or first)


@pytest.mark.parametrize(
    "raw",
    [
        [{"kind": "ship", "value": "x"}],
        [{"kind": "company", "value": "x" * 10_000}],
        [{"kind": "company", "value": f"c{i}"} for i in range(1000)],
        [{"kind": "phone", "value": "12"}],
        [{"kind": "container", "value": "CSQU3054384"}],
        [{"kind": "company", "value": "!!!"}],
        [{"kind": "company"}],
        "not a list",
        ["company"],
    ],
)
def test_bad_subjects_are_refused(raw):
    with pytest.raises(ValidationError) as error:
        clean_subjects(raw, "FR")
    assert set(error.value.message_dict) == {"subjects"}


def test_a_case_keeps_each_subject_once():
    subjects = clean_subjects(
        [{"kind": "company", "value": "ACME Ltd"}, {"kind": "company", "value": "acme ltd."}], "FR"
    )
    assert [s.value for s in subjects] == ["ACME Ltd"]


@pytest.fixture
def brand_police(acme_editor):
    from brands import services as brand_services

    return brand_services.brand_create(
        actor=acme_editor,
        data={
            "name": "Lumina Network",
            "visibility": {"all": False, "countries": ["FR"], "agencies": ["customs", "police"]},
        },
    )


def open_case(officer, brand, subjects, **extra):
    return services.case_open(actor=officer, data=case_data(brand, subjects=subjects, **extra))


@pytest.mark.django_db
def test_a_hit_between_two_organizations_is_recorded_once_and_told_to_both_coordinators(
    officer_fr,
    coordinator_fr,
    police_officer_fr,
    police_coordinator_fr,
    acme_admin,
    brand_police,
    django_capture_on_commit_callbacks,
):
    customs_case = open_case(officer_fr, brand_police, [{"kind": "company", "value": "ACME Trading Co., Ltd."}])
    with django_capture_on_commit_callbacks(execute=True):
        police_case = open_case(
            police_officer_fr,
            brand_police,
            [{"kind": "phone", "value": "0612345678"}, {"kind": "company", "value": "acme trading co ltd"}],
            procedure="verification",
        )
    hits = list(DeconflictionHit.objects.all())
    assert len(hits) == 1
    assert {hits[0].first_id, hits[0].second_id} == {customs_case.pk, police_case.pk}
    assert hits[0].subject_kind == "company"
    told = Notification.objects.filter(event__kind="deconfliction.hit")
    assert sorted(told.values_list("recipient__email", flat=True)) == sorted(
        [coordinator_fr.email, police_coordinator_fr.email]
    )
    # Saving again (same or more subjects) records and tells nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        services.case_coordinate(
            actor=police_officer_fr,
            case=police_case,
            data={
                "subjects": [
                    {"kind": "company", "value": "ACME TRADING CO LTD"},
                    {"kind": "email", "value": "x@y.example"},
                ]
            },
        )
    assert DeconflictionHit.objects.count() == 1 and told.count() == 2
    # Each side reads the other organization and whom to call; the brand owner reads nothing.
    [police_view] = decorate_cases(police_coordinator_fr, [police_case])
    [card] = police_view.hits
    assert card.organization["name"] == customs_case.organization.name
    assert coordinator_fr.email in [c["email"] for c in card.contact]
    [owner_view] = decorate_cases(acme_admin, [police_case])
    assert owner_view.hits is None and owner_view.visible_subjects is None
    assert AuditEntry.objects.filter(action="deconfliction.hit").count() == 1
    assert AuditEntry.objects.filter(action="case.subjects_changed").count() == 3


@pytest.mark.django_db
def test_the_same_organization_never_hits_itself(officer_fr, coordinator_fr, brand_police):
    open_case(officer_fr, brand_police, [{"kind": "website", "value": "shop.example/a"}])
    open_case(coordinator_fr, brand_police, [{"kind": "website", "value": "https://www.shop.example/a"}])
    assert not DeconflictionHit.objects.exists()
    assert CaseSubject.objects.count() == 2


def test_a_right_holders_webhook_cannot_subscribe_to_the_agencies_own_events():
    from webhooks.services import subscribable_kinds

    kinds = subscribable_kinds()
    assert "case.opened" in kinds and "alert.published" in kinds
    assert "deconfliction.hit" not in kinds and "operation.invited" not in kinds


@pytest.mark.django_db
def test_a_hit_whose_task_never_ran_is_announced_by_the_sweep_once(
    officer_fr,
    coordinator_fr,
    police_officer_fr,
    police_coordinator_fr,
    brand_police,
    django_capture_on_commit_callbacks,
):
    from alerts import tasks

    # No commit callbacks run here: as if the broker was down when the save committed.
    open_case(officer_fr, brand_police, [{"kind": "email", "value": "sales@shop.example"}])
    open_case(
        police_officer_fr, brand_police, [{"kind": "email", "value": "Sales@Shop.example"}], procedure="verification"
    )
    hit = DeconflictionHit.objects.get()
    assert hit.announced is None and hit.found_by == police_officer_fr
    told = Notification.objects.filter(event__kind="deconfliction.hit")
    assert not told.exists()
    # The beat's sweep leaves a fresh hit to its own task, then announces it, once.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_deconfliction_hits() == 0
    DeconflictionHit.objects.update(found=hit.found - tasks.ANNOUNCE_GRACE)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_deconfliction_hits() == 1
        assert tasks.announce_deconfliction_hits() == 0
        assert tasks.announce_deconfliction_hits([hit.pk]) == 0
    assert sorted(told.values_list("recipient__email", flat=True)) == sorted(
        [coordinator_fr.email, police_coordinator_fr.email]
    )
    assert DeconflictionHit.objects.get().announced is not None
