"""Which function does the work of each kind of job.

    from jobs.registry import register

    @register("products.import")
    def import_products(job, progress) -> dict:
        ...
        return {"created": 120}

A handler receives the Job and a `Progress` (call `progress(processed, total=None)` as rows go
by) and returns the result (a JSON-serializable dict). It may raise `jobs.errors.RowErrors` to
fail the job with row errors, or a Django ValidationError whose messages the person may read;
any other exception fails the job with a generic message (and is logged). Transactions are the
handler's business: it runs its writes in `transaction.atomic()` and raises to roll them back.

Handlers live in `<app>/job_handlers.py`, imported at start-up by the jobs app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import Job
    from .progress import Progress

Handler = Callable[["Job", "Progress"], dict[str, Any]]

_handlers: dict[str, Handler] = {}
_labels: dict[str, str] = {}


class UnknownJobKind(LookupError):
    pass


def register(kind: str, *, label=None) -> Callable[[Handler], Handler]:
    """Decorator: `handler` does the jobs of `kind`. A kind has one handler. `label` (lazily
    translated, e.g. gettext_lazy("Product import")) names the kind on the pages."""
    if not kind or len(kind) > 64:
        raise ImproperlyConfigured(f"A job kind is 1 to 64 characters: {kind!r}.")

    def decorator(handler: Handler) -> Handler:
        existing = _handlers.get(kind)
        if existing is not None and existing is not handler:
            raise ImproperlyConfigured(f"Job kind {kind!r} already has a handler: {existing!r}.")
        _handlers[kind] = handler
        if label is not None:
            _labels[kind] = label
        return handler

    return decorator


def unregister(kind: str) -> None:
    """Forget the handler of `kind` (for tests)."""
    _handlers.pop(kind, None)
    _labels.pop(kind, None)


def get_handler(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        raise UnknownJobKind(f"No handler is registered for job kind {kind!r}.") from None


def kind_label(kind: str) -> str:
    """What to call a kind of job on a page: its label, or the kind itself."""
    return str(_labels.get(kind, kind))


def is_registered(kind: str) -> bool:
    return kind in _handlers


def registered_kinds() -> list[str]:
    return sorted(_handlers)
