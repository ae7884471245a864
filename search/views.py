"""Pages: search results, scanning a barcode (photo or live camera)."""

from __future__ import annotations

import math

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from authentication_guides.selectors import guide_for_product
from brands.codes import describe
from core.gate import scoped
from core.scope import scope_of

from . import services
from .barcodes import interpret
from .forms import ScanForm, SearchForm
from .pagination import SearchPaginator
from .photo import PhotoSearchThrottle, decode_photo, products_with_codes

PAGE_SIZE = 20
# BarcodeDetector's format names (https://wicg.github.io/shape-detection-api/) → zxing-cpp's.
BROWSER_FORMATS = {
    "ean_13": "EAN13",
    "ean_8": "EAN8",
    "upc_a": "UPCA",
    "upc_e": "UPCE",
    "qr_code": "QRCode",
    "data_matrix": "DataMatrix",
}


@scoped
def search_page(request):
    form = SearchForm(request.GET or None)
    page = hits = None
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        text = data.pop("q")
        documents = services.search(request.user, text, **data)
        page = SearchPaginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
        hits = services.hits(page.object_list, text)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "page": page, "hits": hits, "autofocus": page is None}
    return render(request, "search/results.html", context, status=status)


def _scan_result(request, codes):
    products = list(products_with_codes(request.user, codes).select_related("brand"))
    if len(products) == 1:
        product = products[0]
        said = describe(codes[0])
        values = {"code": codes[0].gtin or codes[0].text, "product": product.name, "said": said}
        if said:
            messages.success(request, _("Scanned %(code)s: %(product)s. The code says: %(said)s.") % values)
        else:
            messages.success(request, _("Scanned %(code)s: %(product)s.") % values)
        # An officer goes straight to the product's guide, at its decisive indicators (they come
        # first); the product page is one tap away from there.
        guide = guide_for_product(request.user, product) if scope_of(request.user).is_enforcement else None
        if guide is not None:
            return redirect(reverse("guides:detail", args=[guide.pk]) + "#indicators")
        return redirect("brands:product_detail", pk=product.pk)
    return render(
        request, "search/scan.html", {"form": ScanForm(), "codes": codes, "products": products, "scanned": True}
    )


@scoped
@require_http_methods(["GET", "POST"])
def scan_page(request):
    """GET: the camera or file picker (and a live scan where the browser has BarcodeDetector,
    which comes back here with ?code=&format=). POST: a photo, decoded on the server."""
    if request.method == "POST":
        throttle = PhotoSearchThrottle()  # the API's photo budget, spent by either
        if not throttle.allow_request(request, None):
            wait = max(1, math.ceil(throttle.wait() or 1))
            response = render(request, "search/scan.html", {"form": ScanForm(), "retry_after": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
        form = ScanForm(request.POST, request.FILES)
        if form.is_valid():
            return _scan_result(request, decode_photo(form.cleaned_data["image"]))
        return render(request, "search/scan.html", {"form": form}, status=400)
    text = request.GET.get("code", "").strip()[:500]
    if text:
        format_name = request.GET.get("format", "")
        return _scan_result(request, [interpret(BROWSER_FORMATS.get(format_name, format_name), text)])
    return render(request, "search/scan.html", {"form": ScanForm()})
