"""Handing a stored file to a user who may see it.

The caller has already checked permission, by fetching the owning object through its
`restrict(user, "view")` queryset (404 otherwise); this module only delivers the file, in one of four
ways:

- `MEDIA_ACCEL_REDIRECT_PREFIX` set (local storage behind nginx): an empty response with
  `X-Accel-Redirect: <prefix><name>`; nginx sends the file from an `internal` location::

      location /protected-media/ {
          internal;
          alias /srv/ipm/media/;   # MEDIA_ROOT, with its trailing slash
          add_header X-Content-Type-Options nosniff always;
          add_header Content-Security-Policy "default-src 'none'; sandbox" always;
      }

  (nginx keeps the response's Content-Type, Content-Disposition and Cache-Control, but drops
  the other headers of the response it replaces, hence the add_header lines.)
- `MEDIA_SENDFILE_HEADER` set (local storage behind Apache mod_xsendfile or lighttpd): an
  empty response with that header (e.g. `X-Sendfile`) naming the file's absolute path.
- A remote storage with signed URLs (django-storages S3 with querystring_auth): a 302 to a
  signed URL that lives no longer than the response may be cached; S3 is told to answer with
  our Content-Type, Content-Disposition and Cache-Control.
- Otherwise the file is streamed by Django (FileResponse): development, tests, and any storage
  without signed URLs.

Every answer is private to the user (`Cache-Control: private, max-age=3600` by default, DESIGN.md:
a browser keeps a picture for an hour, no shared cache keeps it at all; a signed-URL redirect is
kept no longer than the URL lives), and the file itself comes with
`X-Content-Type-Options: nosniff`, `Content-Security-Policy: default-src 'none'; sandbox` and a
Content-Type taken from the stored extension: image/jpeg, image/png or image/webp shown
inline; anything else as an application/octet-stream download. A missing file is a 404.
"""

from __future__ import annotations

import inspect
import os
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header

INLINE_CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
FILE_CSP = "default-src 'none'; sandbox"
MEDIA_MAX_AGE = 3600  # seconds a browser may keep a protected file (DESIGN.md, Confidentiality rules)
_MAX_STEM = 100


def protected_file_response(
    request: HttpRequest, field_file: FieldFile, *, download_name: str | None = None, max_age: int = MEDIA_MAX_AGE
) -> HttpResponse:
    """The response that delivers `field_file` to a user already allowed to see it.

    `download_name` is the file name offered to the browser (default: the stored one); only
    its stem is used, with the stored extension. Raises Http404 when there is no file.
    """
    name = field_file.name if field_file else ""
    if not _is_storage_relative(name):
        raise Http404
    storage = field_file.storage
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    content_type = INLINE_CONTENT_TYPES.get(extension)
    inline = content_type is not None
    disposition = content_disposition_header(
        as_attachment=not inline, filename=_safe_filename(download_name or name, extension)
    )
    content_type = content_type or "application/octet-stream"

    local_path = _local_path(storage, name)
    accel_prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    sendfile_header = getattr(settings, "MEDIA_SENDFILE_HEADER", "")
    if local_path is None and getattr(storage, "querystring_auth", False):
        return _redirect_to_signed_url(storage, name, content_type, disposition, max_age)

    if local_path is not None and (accel_prefix or sendfile_header):
        if not os.path.isfile(local_path):
            raise Http404
        response = HttpResponse(content_type=content_type)
        if accel_prefix:
            response["X-Accel-Redirect"] = accel_prefix + quote(name)
        else:
            response[sendfile_header] = local_path
    else:
        try:
            response = FileResponse(storage.open(name, "rb"), content_type=content_type)
        except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation) as exc:
            raise Http404 from exc
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = f"private, max-age={int(max_age)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    patch_vary_headers(response, ("Cookie", "Authorization"))
    return response


def _is_storage_relative(name: str) -> bool:
    """A relative name inside the storage: no absolute path, no "..", no backslash or NUL."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return False
    return ".." not in PurePosixPath(name).parts


def _local_path(storage: Storage, name: str) -> str | None:
    """The file's absolute path for a storage on the local disk, None for a remote one."""
    try:
        return storage.path(name)
    except NotImplementedError:
        return None
    except SuspiciousFileOperation as exc:
        raise Http404 from exc


def _safe_filename(requested: str, extension: str) -> str:
    """A harmless file name for Content-Disposition: the base name's stem, printable characters
    only, with the stored extension (so "x.html" offered for a PNG becomes "x.png")."""
    base = requested.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    stem = "".join(c for c in stem if c.isprintable() and c not in '"/;').strip(" .")[:_MAX_STEM] or "file"
    return f"{stem}.{extension}" if extension.isalnum() else stem


def _redirect_to_signed_url(
    storage: Storage, name: str, content_type: str, disposition: str, max_age: int
) -> HttpResponse:
    # The redirect is cached no longer than the signed URL lives.
    ttl = min(int(max_age), int(getattr(storage, "querystring_expire", max_age)))
    accepted = inspect.signature(storage.url).parameters
    options = {}
    if "parameters" in accepted:  # django-storages S3: S3 answers with our headers
        options["parameters"] = {
            "ResponseContentType": content_type,
            "ResponseContentDisposition": disposition,
            "ResponseCacheControl": f"private, max-age={ttl}",
        }
    if "expire" in accepted:
        options["expire"] = ttl
    response = HttpResponseRedirect(storage.url(name, **options))
    response["Cache-Control"] = f"private, max-age={ttl}"
    response["Referrer-Policy"] = "no-referrer"
    patch_vary_headers(response, ("Cookie", "Authorization"))
    return response
