"""Bulk work on a brand's products from its page: export them as CSV, import a CSV or XLSX file.

The export is for the owner's members (officers and platform admins read the pages, they do not
download the catalogue: 403; anyone who cannot see the brand: 404). The import is a background
job of the jobs app, started for the owner's admins and editors; its progress page is /jobs/<id>/.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.gate import scoped
from core.permissions import require

from ..forms import ProductImportForm
from ..importing import COLUMNS, EXPORT_COLUMNS, export_rows
from ..models import Brand, Product
from ..permissions import CATALOGUE_EXPORT
from .common import editable_or_refuse, posted, visible_or_404


@scoped
@require_safe
def product_export(request, pk):
    from jobs.writers import stream_csv

    brand = visible_or_404(request.user, Brand.objects, pk)
    require(request.user, CATALOGUE_EXPORT)
    products = (
        Product.objects.restrict(request.user, "view")
        .filter(brand=brand)
        .select_related("brand")
        .prefetch_related("gtin_set")
        .order_by("id")
    )
    filename = f"{slugify(brand.name) or 'brand'}-products.csv"
    return stream_csv(export_rows(products.iterator(chunk_size=2000)), EXPORT_COLUMNS, filename=filename)


@scoped
def product_import(request, pk):
    from ..job_handlers import products_import_start

    brand = editable_or_refuse(request.user, Brand.objects.select_related("owner"), pk)
    form = ProductImportForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            job = products_import_start(actor=request.user, brand=brand, file=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("jobs:detail", job.pk)
    context = {
        "form": form,
        "brand": brand,
        "columns": COLUMNS,
        "title": _("Import products into %(name)s") % {"name": brand.name},
    }
    return render(request, "brands/product_import.html", context, status=400 if form.errors else 200)
