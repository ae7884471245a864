"""The search index: one row per searchable thing, kept up to date on save (see index.py).

Rows hold the text to match already normalized (text.normalize) and the fields to filter on;
who may see a row is decided at query time from the live brand and guide tables, so a change of
a brand's countries is effective at once, without reindexing. The full-text machinery lives in
the database: on PostgreSQL a trigger fills `vector` (GIN-indexed) and a trigram index covers
`names`; on SQLite an FTS5 table follows the rows through triggers (migrations/0002).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ResultType(models.TextChoices):
    BRAND = "brand", _("Brand")
    PRODUCT = "product", _("Product")
    GUIDE = "guide", _("Guide")
    TRADEMARK = "trademark", _("Trade mark")


class SearchDocument(models.Model):
    type = models.CharField(max_length=12, choices=ResultType.choices)
    object_id = models.BigIntegerField()
    # No database constraint: documents are removed with their object by index.py, never by a
    # cascade, so deleting a brand does not depend on the index.
    brand = models.ForeignKey("brands.Brand", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    # Guides: the published version is indexed for readers (`public`), the newest version for
    # the owner (`latest`); one row has both flags when they are the same version.
    public = models.BooleanField(default=True)
    latest = models.BooleanField(default=True)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)  # original text, for snippets
    names = models.TextField(blank=True)  # normalized: names, aliases, SKU, numbers (weight A)
    text = models.TextField(blank=True)  # normalized: everything else (weight B)
    keys = models.TextField(blank=True)  # "|key|key|": exact matches (name, alias, GTIN, SKU, number)
    hs_code = models.CharField(max_length=10, blank=True)
    categories = models.CharField(max_length=400, blank=True)  # ",apparel,footwear,"
    origins = models.CharField(max_length=400, blank=True)  # ",CN,VN,"
    language = models.CharField(max_length=2, blank=True)
    vector = SearchVectorField(null=True, editable=False)  # PostgreSQL only, set by trigger
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint("type", "object_id", "latest", name="search_document_unique"),
        ]
        indexes = [models.Index(fields=["brand", "type"])]

    def __str__(self):
        return f"{self.type} {self.object_id}: {self.title}"


class IndexChange(models.Model):
    """The change log a search engine follows (issue 15): one row per object whose documents or
    scope changed, written in the change's own transaction (index.py writes it with the
    documents; signals.py for an organization's brands when the organization changes). `id` is
    the growing sequence number. Applying a change twice is harmless: the engine reads the
    object's documents as they are then."""

    id = models.BigAutoField(primary_key=True)
    # PostgreSQL: the writing transaction's id (pg_current_xact_id). A follower reads only the
    # transactions older than every one still running, in (tx, id) order, so a long transaction
    # committing late is never skipped. SQLite writes one transaction at a time: 0.
    tx = models.BigIntegerField(default=0)
    kind = models.CharField(max_length=12)  # a ResultType, or "brand+" for everything of a brand
    object_id = models.BigIntegerField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("search index change")
        indexes = [models.Index(fields=["tx", "id"], name="search_change_order")]

    def __str__(self) -> str:
        return f"{self.pk}: {self.kind} {self.object_id}"
