"""DRF's browsable API under the portal's Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API, whose templates carry style attributes (and a <style> element for
    code highlighting when Pygments is installed): its HTML pages, and only they, allow inline
    styles. Its scripts are all files, so script-src stays 'self'. JSON answers of the same
    views keep the strict policy."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> str:
        html = super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        if response is not None:
            # What django-csp's @csp_update sets on a view's response, for this response only.
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return html
