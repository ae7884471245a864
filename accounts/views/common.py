"""Small helpers shared by the account pages: a limit on posts per client address. (Who may see
the moderation pages is the role table's, accounts/permissions.py.)"""

from __future__ import annotations

from functools import wraps

from django.shortcuts import render

# The account pages import these from here; they live in core, with the other apps' page helpers.
from core.views import paginate as paginate
from core.views import safe_next as safe_next


def throttle_posts(view):
    """Limit POSTs to `view` per client address (FormIPThrottle): 429 with Retry-After past it.
    django-axes locks one account after failures; this stops one address trying many."""
    from core.api import FormIPThrottle

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            throttle = FormIPThrottle()
            if not throttle.allow_request(request, None):
                wait = max(1, int(throttle.wait() or 1))
                response = render(request, "429.html", {"retry_after": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return wrapped
