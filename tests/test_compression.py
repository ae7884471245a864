"""Pages, JSON and CSV go compressed (gzip) to a browser that accepts it, with random padding
against length-based attacks; pictures and other compressed formats go as they are (issue 17,
item 7)."""

from __future__ import annotations

import gzip
import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from brands import services
from ipm_portal.middleware import CompressTextMiddleware

pytestmark = pytest.mark.django_db


def test_a_page_is_compressed_for_a_browser_that_accepts_it(client, officer_fr):
    client.force_login(officer_fr)
    plain = client.get("/")
    packed = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert plain.status_code == packed.status_code == 200
    assert not plain.has_header("Content-Encoding")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert "<html" in html and len(packed.content) < len(plain.content) / 2
    assert "no-store" in packed["Cache-Control"]  # still never kept


def test_json_is_compressed_and_two_answers_differ_in_length(api, officer_fr, acme_editor):
    for n in range(5):  # an answer of some length: GZipMiddleware leaves those under 200 bytes
        services.brand_create(actor=acme_editor, data={"name": f"Compressia {n}", "description": "A brand " * 10})
    client = api(officer_fr)
    first = client.get("/api/v1/brands/", HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(first.content))["count"] == 5
    # The same answer again and again: the random padding makes the compressed lengths vary (BREACH).
    lengths = {len(client.get("/api/v1/brands/", HTTP_ACCEPT_ENCODING="gzip").content) for _ in range(8)}
    assert len(lengths | {len(first.content)}) > 1


@pytest.mark.parametrize(
    ("content_type", "compressed"),
    [
        ("text/html; charset=utf-8", True),
        ("text/csv", True),
        ("application/json", True),
        ("image/svg+xml", True),
        ("image/jpeg", False),
        ("image/webp", False),
        ("application/pdf", False),
        ("application/zip", False),
        ("", False),
    ],
)
def test_only_text_is_compressed(content_type, compressed):
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    body = b"a fairly repetitive body " * 100
    middleware = CompressTextMiddleware(lambda request: HttpResponse(body, content_type=content_type))
    response = middleware(request)
    assert response.has_header("Content-Encoding") is compressed
    assert (response.content == body) is not compressed
