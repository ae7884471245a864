"""The jobs app's own handler: a dry run that reads an uploaded file from end to end.

It changes nothing: it tells which columns a CSV or XLSX file has and how many rows, or why it
cannot be read. Useful before a large import, and the smallest real job for end-to-end checks.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from .readers import iter_rows
from .registry import register

INSPECT_FILE = "jobs.inspect_file"


@register(INSPECT_FILE, label=gettext_lazy("File check"))
def inspect_file(job, progress) -> dict:
    rows = 0
    with job.file.open("rb") as stream:
        header, records = iter_rows(stream, job.filename)
        for rows, _record in enumerate(records, start=1):
            progress(rows)
    progress(rows, rows)
    return {"columns": header, "rows": rows}
