"""Notifications: one pipeline for every event the portal tells people about.

How a notification travels (DESIGN.md, "How a notification travels"):

1. A domain service writes its change and calls ``emit()`` in the same transaction::

       from core.events import emit

       emit("alert.published", subject=alert, actor=actor, organization=alert.brand.owner,
            data={"severity": alert.severity})

   ``emit(kind, *, subject, actor=None, organization=None, data=None) -> Event`` writes an
   ``Event`` row (its UUID primary key is the idempotency key of every delivery) and registers
   ``transaction.on_commit`` to enqueue ``notifications.tasks.dispatch_event(event_id)``. If the
   broker is down at that moment the error is logged and swallowed: the beat sweeper
   (``notifications.tasks.sweep``) dispatches events left undispatched.
2. ``dispatch_event`` expands the recipients once, records them in ``EventChunk`` rows (up to
   ``NOTIFICATIONS_CHUNK_SIZE`` ids each, per channel ``inapp`` and ``email``) in one
   transaction, then enqueues one ``deliver_chunk`` task per chunk.
3. ``deliver_chunk`` takes the chunk's lease (a conditional UPDATE: a second copy of the task
   does nothing) and writes the in-app ``Notification`` rows with one bulk insert (a unique
   constraint on (event, recipient): exactly once however often it runs), or sends the chunk's
   e-mails (an ``EmailDelivery`` row per (event, recipient) with attempts, status and last
   error, marked sent as soon as the SMTP server accepts it; header ``X-IPM-Event-Id`` carries
   the event id, ``X-IPM-Event`` the kind; once short of a crash mid-exchange, failures retried
   with exponential backoff, a chunk past ``NOTIFICATIONS_CHUNK_BUDGET_SECONDS`` handed to a
   fresh task), then marks its chunk done and releases the lease. When every chunk is done the
   event is completed.
4. The sweeper (Celery beat, every minute) re-dispatches events never dispatched and
   re-enqueues chunks left not done whose lease has run out (worker killed), from the
   database; it also sends the daily digests. docs/RELIABILITY.md has the fault matrix.

Registering an event kind: each app has a module ``<app>/notifying.py``, imported from its
``AppConfig.ready()``, that calls ``core.event_types.event_type``::

    from core.event_types import event_type

    event_type(
        "alert.published",
        recipients=lambda event: User.objects.filter(...),   # QuerySet[User]
        title=lambda event: _("New alert: %(title)s") % {"title": event.subject.title},
        link=lambda event: f"/alerts/{event.subject_id}/",
    )

- ``recipients(event) -> QuerySet[User]``: who is told, in-app and by e-mail. The pipeline
  itself keeps only active, approved users with access (approved organization), so the
  function states who *should* know and need not repeat that.
- ``title(event) -> str``: evaluated under ``translation.override(language)`` once per
  language among the recipients (not once per recipient); stored on each in-app row and used
  as the e-mail subject.
- ``link(event) -> str``: a site path (``/alerts/12/``), made absolute with ``SITE_URL`` in
  e-mails.
- ``email_template``: the template base name, by default the kind with "." replaced by "_".
  Templates ``notifications/email/<name>.txt``, ``<name>.html`` and optionally
  ``<name>_subject.txt``, rendered in the recipient's language with the context
  ``{event, subject, recipient, title, link, site_url}``; without them a generic message
  (title and link) is sent.
- ``transactional=True`` (account e-mails): e-mailed whatever the person's preference, and to
  the person concerned even without access (a rejected registration learns why).

Other channels: ``core.event_types.on_dispatch(hook)`` registers ``hook(event)``, called
once per event inside the dispatch transaction (whatever the number of people told), for
example to record webhook deliveries to ``event.organization``'s endpoints and enqueue them on
commit.

Each person chooses (``Preference``): e-mail ``immediate``, ``digest`` (one e-mail a day listing
what reached their inbox) or ``off``; officers follow brands (``BrandFollow``).
"""
