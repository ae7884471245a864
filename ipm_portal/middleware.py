"""Request guards that apply to every page and endpoint."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    """A NUL character in the path or the query string is a 400, before any view runs:
    PostgreSQL refuses NUL in text, so it must never reach a query (bodies are checked by the
    form and serializer fields)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "") or self._nul_in_query(request):
            message = _("The request contains a NUL character.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)

    @staticmethod
    def _nul_in_query(request) -> bool:
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


class PrivateNoStoreMiddleware:
    """Every page and API answer is `Cache-Control: private, no-store` unless its view chose its
    own Cache-Control (media `private, max-age=3600`, CSV exports, never_cache views).

    Almost every answer of the portal carries confidential content (guides, cases, what a user
    may see at all), so no browser, proxy or back/forward cache may keep it: the rule applies to
    all of them rather than to a list of views that a new view could miss. Static files never
    get here: WhiteNoise, above this middleware, answers them with their own long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


# What is worth compressing: text. Pictures, PDFs and archives are compressed already.
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml")


class CompressTextMiddleware(GZipMiddleware):
    """Pages, JSON and CSV compressed with gzip when the browser accepts it (Django's
    GZipMiddleware, which pads each answer with random bytes against length-based attacks such as
    BREACH), leaving pictures and other compressed formats as they are. Static files never get
    here: WhiteNoise serves them pre-compressed (gzip, and Brotli when installed)."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if not content_type.startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
