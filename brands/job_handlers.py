"""Background jobs of the catalogue (found by the jobs app at start-up)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.errors import ErrorList
from jobs.models import Job
from jobs.readers import count_rows, iter_rows
from jobs.registry import register
from jobs.services import job_start

from .importing import import_products
from .models import Brand

PRODUCTS_IMPORT = "products.import"


def products_import_start(*, actor, brand: Brand, file) -> Job:
    """Start importing `file` (CSV or XLSX) into `brand` in the background, for the brand's page
    and the API alike; job_start checks that the brand's owner is the actor's organization."""
    return job_start(
        actor=actor, organization=brand.owner, kind=PRODUCTS_IMPORT, file=file, params={"brand": brand.pk}
    )


@register(PRODUCTS_IMPORT, label=gettext_lazy("Product import"))
def products_import(job, progress) -> dict:
    """Import the job's CSV or XLSX file into the brand named in its params, all or nothing."""
    brand = Brand.objects.restrict(job.created_by, "change").filter(pk=job.params.get("brand")).first()
    if brand is None:
        raise ValidationError(_("The brand no longer exists, or you can no longer edit it."))
    with job.file.open("rb") as stream:
        total = count_rows(stream, job.file.name)  # one quick pass, for a percentage
        stream.seek(0)
        progress(0, total)
        header, rows = iter_rows(stream, job.file.name)
        return import_products(
            brand=brand,
            header=header,
            rows=rows,
            errors=ErrorList(),
            actor=job.created_by,
            progress=lambda processed, _total=None: progress(processed, total),
        )
