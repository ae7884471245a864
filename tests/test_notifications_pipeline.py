"""The pipeline in-process: an event written in a transaction reaches each recipient's inbox
exactly once, however often its tasks run."""

from __future__ import annotations

import pytest

from accounts.models import OrganizationKind, Role, Status
from core.events import emit
from core.models import Event
from notifications import pipeline, tasks
from notifications.models import Channel, EmailDelivery, EventChunk, Notification
from tests import notifying_helpers
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def customs():
    return OrganizationFactory(name="Customs", kind=OrganizationKind.CUSTOMS, country="FR")


def broadcast(organization, text="hello", **kwargs):
    return emit(notifying_helpers.BROADCAST, subject=organization, data={"text": text}, **kwargs)


def test_event_is_dispatched_after_commit_and_each_recipient_gets_one_notification(
    customs, django_capture_on_commit_callbacks, mailoutbox
):
    officers = [member(customs, Role.OFFICER) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = broadcast(customs)
        assert Notification.objects.count() == 0  # nothing before commit

    assert len(callbacks) == 1
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(o.pk for o in officers)
    event.refresh_from_db()
    assert event.dispatched_at is not None and event.completed_at is not None
    assert len(mailoutbox) == 3
    assert {m.extra_headers["X-IPM-Event-Id"] for m in mailoutbox} == {str(event.pk)}


def test_same_delivery_task_run_twice_writes_one_notification(customs):
    officer = member(customs, Role.OFFICER)
    event = broadcast(customs)
    chunk_ids = pipeline.event_dispatch(str(event.pk))
    in_app = EventChunk.objects.get(pk__in=chunk_ids, channel=Channel.IN_APP)

    pipeline.chunk_deliver(in_app.pk)
    EventChunk.objects.filter(pk=in_app.pk).update(done_at=None)  # as if the worker died before marking it
    pipeline.chunk_deliver(in_app.pk)
    tasks.deliver_chunk.apply(args=(in_app.pk,))

    assert Notification.objects.filter(event=event, recipient=officer).count() == 1


def test_dispatching_twice_records_recipients_once(customs):
    member(customs, Role.OFFICER)
    event = broadcast(customs)

    first = pipeline.event_dispatch(str(event.pk))
    second = pipeline.event_dispatch(str(event.pk))

    assert first and second == []
    assert EventChunk.objects.filter(event=event).count() == len(first)


def test_only_people_with_access_are_notified(customs):
    approved = member(customs, Role.OFFICER)
    member(customs, Role.OFFICER, status=Status.PENDING)
    member(customs, Role.OFFICER, status=Status.SUSPENDED)
    member(customs, Role.OFFICER, is_active=False)
    event = broadcast(customs)

    for chunk_id in pipeline.event_dispatch(str(event.pk)):
        pipeline.chunk_deliver(chunk_id)

    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [approved.pk]
    assert list(EmailDelivery.objects.values_list("recipient_id", flat=True)) == [approved.pk]


def test_suspended_organization_members_are_not_notified():
    customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="FR", status=Status.SUSPENDED)
    member(customs, Role.OFFICER)
    event = broadcast(customs)

    assert pipeline.event_dispatch(str(event.pk)) == []
    event.refresh_from_db()
    assert event.completed_at is not None
    assert not Notification.objects.exists()


def test_title_is_in_each_recipients_language(customs):
    french = member(customs, Role.OFFICER, language="fr")
    english = member(customs, Role.OFFICER, language="en")
    event = broadcast(customs, text="Lumina")

    for chunk_id in pipeline.event_dispatch(str(event.pk)):
        pipeline.chunk_deliver(chunk_id)

    assert Notification.objects.get(recipient=french).title == "Organisation: Lumina"
    assert Notification.objects.get(recipient=english).title == "Organization: Lumina"


def test_chunks_cover_every_recipient_once(customs, settings, monkeypatch):
    monkeypatch.setattr(pipeline, "IN_APP_CHUNK_SIZE", 4)
    people = [member(customs, Role.OFFICER) for _ in range(10)]
    event = broadcast(customs)

    chunk_ids = pipeline.event_dispatch(str(event.pk))

    chunks = EventChunk.objects.filter(pk__in=chunk_ids, channel=Channel.IN_APP).order_by("number")
    assert [len(c.recipient_ids) for c in chunks] == [4, 4, 2]
    assert sorted(i for c in chunks for i in c.recipient_ids) == sorted(p.pk for p in people)


def test_an_event_nobody_dispatched_is_taken_by_the_sweeper(customs):
    officer = member(customs, Role.OFFICER)
    event = broadcast(customs)  # inside the test transaction: on_commit never fires

    assert tasks.sweep.apply(kwargs={"stale_after_seconds": 3600}).get() == {"events": 0, "chunks": 0}
    result = tasks.sweep.apply(kwargs={"stale_after_seconds": 0}).get()

    assert result["events"] == 1
    assert Notification.objects.filter(event=event, recipient=officer).count() == 1
    assert Event.objects.get(pk=event.pk).completed_at is not None


def test_the_sweeper_closes_an_event_whose_chunks_are_all_done(customs):
    member(customs, Role.OFFICER)
    event = broadcast(customs)
    for chunk_id in pipeline.event_dispatch(str(event.pk)):
        pipeline.chunk_deliver(chunk_id)
    Event.objects.filter(pk=event.pk).update(completed_at=None)  # died before closing it

    tasks.sweep.apply(kwargs={"stale_after_seconds": 0})

    assert Event.objects.get(pk=event.pk).completed_at is not None


def test_an_event_of_an_unknown_kind_stays_for_the_sweeper(customs):
    event = emit("test.never_registered", subject=customs)

    assert pipeline.event_dispatch(str(event.pk)) == []

    event.refresh_from_db()
    assert event.dispatched_at is None and event.attempts == 1 and "test.never_registered" in event.last_error


def test_dispatch_hooks_run_once_per_event_even_without_recipients(customs):
    from core import event_types as registry

    seen = []

    def hook(event):
        seen.append(event.pk)

    registry.on_dispatch(hook)
    try:
        event = broadcast(customs)  # nobody in the organization: no chunk
        pipeline.event_dispatch(str(event.pk))
        pipeline.event_dispatch(str(event.pk))
    finally:
        registry._dispatch_hooks.remove(hook)

    assert seen == [event.pk]


def test_titles_are_rendered_once_per_language_and_a_chunk_costs_bounded_queries(
    customs, django_assert_max_num_queries
):
    from core.event_types import event_type

    calls = []

    def title(event):
        from django.utils.translation import get_language

        calls.append(get_language())
        return "t"

    event_type("test.counted", recipients=notifying_helpers._recipients, title=title, link=lambda event: "/")
    for index in range(60):
        member(customs, Role.OFFICER, language=("en", "fr", "es")[index % 3])
    event = emit("test.counted", subject=customs)
    chunk_ids = pipeline.event_dispatch(str(event.pk))
    chunk = EventChunk.objects.get(pk__in=chunk_ids, channel="inapp")

    with django_assert_max_num_queries(8):
        pipeline.chunk_deliver(chunk.pk)

    assert sorted(calls) == ["en", "es", "fr"]
    assert Notification.objects.filter(event=event).count() == 60
