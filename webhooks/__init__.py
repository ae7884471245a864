"""Signed webhooks for right-holder organizations (DESIGN.md, "How a notification travels").

An organization's admins register HTTPS endpoints (``WebhookEndpoint``); every event whose
``organization`` is theirs (the notification pipeline calls ``services.deliveries_record`` once
per event, through ``core.event_types.on_dispatch``) becomes one ``WebhookDelivery`` row per
active endpoint subscribed to its kind, and a Celery task POSTs it:

- body ``{"id", "type", "created", "data"}`` (the event's id, kind, time and data);
- headers ``IPM-Event`` (the kind), ``IPM-Delivery`` (the event id: the idempotency key) and
  ``IPM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>``;
  a receiver recomputes the HMAC and rejects a timestamp older than five minutes;
- at least once: each attempt is counted on the delivery row; a failure (no complete 2xx answer
  within ``WEBHOOKS_TIMEOUT_SECONDS`` of wall-clock time, lookup, connect, TLS, send and read
  together; redirects not followed; any exception) is retried with exponential backoff by the
  beat task ``webhooks.tasks.retry_due`` (from the database, never waiting on the broker);
- isolated: attempts run on their own Celery queue (``WEBHOOKS_QUEUE``, their own workers), one
  attempt in flight per endpoint (``WebhookEndpoint.busy_until``, claimed with a conditional
  UPDATE; the attempt that ends enqueues the endpoint's next due delivery), so a slow receiver
  holds one worker for ten seconds at most and delays nobody else's notifications;
- ``WEBHOOKS_DISABLE_AFTER`` consecutive failures of an endpoint disable it and emit
  ``webhook.disabled`` (the organization's admins are told); an admin re-enables it.

Only public addresses are reached: the URL must be ``https://`` and every address its host
resolves to must be global (no loopback, private, link-local, reserved or multicast), checked
when the endpoint is saved and again at each delivery, where the connection goes to the very
address that was checked (no second DNS lookup to rebind), on a port of
``WEBHOOKS_ALLOWED_PORTS`` (443). Refusals say only "not allowed" or "not reachable", never
what a name resolved to. ``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` and ``WEBHOOKS_ALLOW_HTTP`` lift
those rules for tests and local development only.
"""
