"""Where uploads are stored: `<prefix>/<yyyy>/<mm>/<uuid4 hex>.<ext>`, a name nobody can guess
(it is never derived from the uploaded file's name) and that never exposes one."""

from __future__ import annotations

import re
import uuid
from pathlib import PurePosixPath

from django.utils import timezone
from django.utils.deconstruct import deconstructible

_PREFIX = re.compile(r"[a-z0-9_-]+(?:/[a-z0-9_-]+)*")
_EXTENSION = re.compile(r"\.[a-z0-9]{1,8}")


@deconstructible
class PrivateUploadTo:
    """An `upload_to` callable (deconstructible, so migrations can name it)."""

    def __init__(self, prefix: str) -> None:
        if not _PREFIX.fullmatch(prefix):
            raise ValueError(f"Upload prefix must be lower-case path segments like 'products/images', not {prefix!r}.")
        self.prefix = prefix

    def __call__(self, instance: object, filename: str) -> str:
        now = timezone.now()
        return f"{self.prefix}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{_extension(filename)}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrivateUploadTo) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash((PrivateUploadTo, self.prefix))


def private_upload_to(prefix: str) -> PrivateUploadTo:
    """`models.ImageField(upload_to=private_upload_to("products"))`."""
    return PrivateUploadTo(prefix)


def _extension(filename: str) -> str:
    """The lower-case extension of the name given (for a CleanImage, the one it was encoded
    in); ".jpeg" becomes ".jpg"; anything odd is left out."""
    extension = PurePosixPath(filename).suffix.lower()
    if extension == ".jpeg":
        return ".jpg"
    return extension if _EXTENSION.fullmatch(extension) else ""
