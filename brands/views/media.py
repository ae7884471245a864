"""Product pictures and brand logos for the pages, served only to people who may see the brand.

Never a public URL: the file is looked up through `restrict(user, "view")` (404 for anyone else, the
same answer as for a picture that does not exist) and delivered by uploads.serving, which hands
the transfer to the web server in production (X-Accel-Redirect / X-Sendfile). Scripts holding an
API token fetch the same files through the API's own file endpoints.
"""

from __future__ import annotations

from django.http import Http404
from django.views.decorators.http import require_safe

from core.gate import scoped
from uploads.serving import protected_file_response

from ..models import Brand, ProductImage
from .common import visible_or_404


def _serve(request, field_file):
    if not field_file:
        raise Http404
    return protected_file_response(request, field_file)


@scoped
@require_safe
def product_image(request, pk, variant):
    """variant: `original`, `small` or `large`; a thumbnail not made yet falls back to the original."""
    picture = visible_or_404(request.user, ProductImage.objects, pk)
    if variant == "small":
        return _serve(request, picture.thumb_small or picture.image)
    if variant == "large":
        return _serve(request, picture.thumb_large or picture.image)
    return _serve(request, picture.image)


@scoped
@require_safe
def brand_logo(request, pk):
    return _serve(request, visible_or_404(request.user, Brand.objects, pk).logo)
