"""uploads.serving.protected_file_response: how a stored file reaches a user already allowed to
see it (streamed, X-Accel-Redirect, X-Sendfile, signed S3 URL), with safe headers; and MEDIA_URL
is served by nobody."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from uploads.serving import protected_file_response
from uploads.testing import image_bytes

JPEG = image_bytes("JPEG")
NAME = "products/2025/01/0123456789abcdef0123456789abcdef.jpg"


def field_file(storage, name: str) -> FieldFile:
    return FieldFile(instance=None, field=models.FileField(storage=storage), name=name)


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=tmp_path)


@pytest.fixture
def stored(storage):
    storage.save(NAME, ContentFile(JPEG))
    return field_file(storage, NAME)


@pytest.fixture
def request_():
    return RequestFactory().get("/anything/")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_safe_headers(response, max_age=3600):  # DESIGN.md: media `private, max-age=3600`
    assert response["Cache-Control"] == f"private, max-age={max_age}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "Cookie" in response["Vary"] and "Authorization" in response["Vary"]


# --------------------------------------------------------------------------- streamed by Django


def test_streams_the_file_with_safe_headers(request_, stored):
    response = protected_file_response(request_, stored)
    assert response.status_code == 200
    assert body(response) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="0123456789abcdef0123456789abcdef.jpg"'
    assert_safe_headers(response)


@pytest.mark.parametrize(("extension", "content_type"), [("png", "image/png"), ("webp", "image/webp")])
def test_content_type_comes_from_the_stored_extension(request_, storage, extension, content_type):
    storage.save(f"logos/a.{extension}", ContentFile(b"bytes"))
    response = protected_file_response(request_, field_file(storage, f"logos/a.{extension}"))
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline;")


@pytest.mark.parametrize("name", ["cases/a.html", "cases/a.svg", "cases/a"])
def test_anything_else_is_a_download_never_rendered(request_, storage, name):
    storage.save(name, ContentFile(b"<script>alert(1)</script>"))
    response = protected_file_response(request_, field_file(storage, name))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert_safe_headers(response)


def test_max_age_is_the_callers(request_, stored):
    assert_safe_headers(protected_file_response(request_, stored, max_age=60), max_age=60)


def test_download_name_is_made_harmless(request_, stored):
    response = protected_file_response(request_, stored, download_name='../../x"y\r\nSet-Cookie: a=b;.html')
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename=")
    assert disposition.endswith('.jpg"')
    assert "\r" not in disposition and "\n" not in disposition and ".." not in disposition
    assert ".html" not in disposition and ";.html" not in disposition
    assert "Set-Cookie" not in response.headers


def test_non_ascii_download_name_is_encoded(request_, stored):
    response = protected_file_response(request_, stored, download_name="Montre façade.png")
    assert response["Content-Disposition"] == "inline; filename*=utf-8''Montre%20fa%C3%A7ade.jpg"


def test_any_storage_without_local_paths_or_signed_urls_is_streamed(request_):
    storage = InMemoryStorage()
    storage.save(NAME, ContentFile(JPEG))
    response = protected_file_response(request_, field_file(storage, NAME))
    assert response.status_code == 200 and body(response) == JPEG
    assert "Location" not in response


# --------------------------------------------------------------------------- missing files: 404


def test_missing_file_is_a_404(request_, storage):
    with pytest.raises(Http404):
        protected_file_response(request_, field_file(storage, "products/2025/01/gone.jpg"))


def test_empty_field_is_a_404(request_, storage):
    with pytest.raises(Http404):
        protected_file_response(request_, field_file(storage, ""))


@pytest.mark.parametrize("name", ["../outside.jpg", "/etc/passwd.jpg", "a/../../b.jpg", "a\\..\\b.jpg"])
def test_names_outside_the_storage_are_a_404(request_, storage, name):
    with pytest.raises(Http404):
        protected_file_response(request_, field_file(storage, name))


def test_stored_names_with_a_backslash_are_refused(request_, storage, tmp_path):
    (tmp_path / "a\\b.jpg").write_bytes(JPEG)  # no upload_to makes such a name: refuse it
    with pytest.raises(Http404):
        protected_file_response(request_, field_file(storage, "a\\b.jpg"))


@pytest.mark.parametrize(
    "setting", [("MEDIA_ACCEL_REDIRECT_PREFIX", "/protected-media/"), ("MEDIA_SENDFILE_HEADER", "X-Sendfile")]
)
def test_missing_file_is_a_404_behind_the_web_server_too(request_, storage, settings, setting):
    setattr(settings, *setting)
    with pytest.raises(Http404):
        protected_file_response(request_, field_file(storage, "products/2025/01/gone.jpg"))


# --------------------------------------------------------------------------- handed to the web server


def test_x_accel_redirect_hands_the_file_to_nginx(request_, stored, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response = protected_file_response(request_, stored)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{NAME}"
    assert body(response) == b""
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert_safe_headers(response)


def test_x_sendfile_names_the_absolute_path(request_, stored, storage, settings):
    settings.MEDIA_SENDFILE_HEADER = "X-Sendfile"
    response = protected_file_response(request_, stored)
    assert response["X-Sendfile"] == storage.path(NAME)
    assert response["X-Sendfile"].startswith("/")
    assert body(response) == b""
    assert "X-Accel-Redirect" not in response
    assert_safe_headers(response)


# --------------------------------------------------------------------------- S3: signed, short-lived


@pytest.fixture
def s3():
    from storages.backends.s3 import S3Storage

    # Signing is local: no request reaches this made-up endpoint.
    return S3Storage(
        bucket_name="ipm-media",
        endpoint_url="https://s3.example.invalid",
        region_name="eu-west-1",
        access_key="AKIAEXAMPLE",
        secret_key="not-a-real-secret",
        default_acl="private",
        querystring_auth=True,
        querystring_expire=300,
        signature_version="s3v4",
    )


def test_s3_redirects_to_a_signed_short_lived_url(request_, s3, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"  # ignored: not on this disk
    response = protected_file_response(request_, field_file(s3, NAME))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert location.netloc.endswith("s3.example.invalid") and location.path.endswith(NAME)
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Signature"]
    assert query["response-content-type"] == ["image/jpeg"]
    assert query["response-content-disposition"][0].startswith("inline;")
    assert response["Cache-Control"] == "private, max-age=300"
    assert "X-Accel-Redirect" not in response


def test_s3_url_lives_no_longer_than_the_cached_answer(request_, s3):
    response = protected_file_response(request_, field_file(s3, NAME), max_age=60)
    assert parse_qs(urlsplit(response["Location"]).query)["X-Amz-Expires"] == ["60"]
    assert response["Cache-Control"] == "private, max-age=60"


def test_s3_url_never_outlives_the_storage_setting(request_, s3):
    response = protected_file_response(request_, field_file(s3, NAME), max_age=86400)
    assert parse_qs(urlsplit(response["Location"]).query)["X-Amz-Expires"] == ["300"]


# --------------------------------------------------------------------------- MEDIA_URL is not public


@pytest.mark.parametrize("path", ["/media/", f"/media/{NAME}", "/media/brands/logos/x.png"])
def test_media_url_is_not_in_the_urlconf(settings, path):
    assert path.startswith(settings.MEDIA_URL)
    with pytest.raises(Resolver404):
        resolve(path)


@pytest.mark.django_db
def test_get_on_media_url_is_a_404_even_signed_in(client, acme_editor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    FileSystemStorage().save(NAME, ContentFile(JPEG))  # the file exists on disk
    assert client.get(f"/media/{NAME}").status_code == 404
    client.force_login(acme_editor)
    assert client.get(f"/media/{NAME}").status_code == 404
