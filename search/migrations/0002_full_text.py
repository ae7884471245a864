"""The full-text machinery of each backend (see search/backends.py).

PostgreSQL: pg_trgm; a trigger fills the stored tsvector (names weight A, other text weight B,
the "simple" configuration: text arrives normalized, in any language); GIN indexes on the
vector and on the names' trigrams (typo tolerance with word_similarity).
SQLite: an FTS5 table over names and text, kept in step with the rows by triggers.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

POSTGRESQL = [
    (
        """
        CREATE FUNCTION search_document_vector() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.vector := setweight(to_tsvector('simple', coalesce(NEW.names, '')), 'A')
                       || setweight(to_tsvector('simple', coalesce(NEW.text, '')), 'B');
            RETURN NEW;
        END $$
        """,
        "DROP FUNCTION IF EXISTS search_document_vector()",
    ),
    (
        """
        CREATE TRIGGER search_document_vector BEFORE INSERT OR UPDATE OF names, text
            ON search_searchdocument FOR EACH ROW EXECUTE FUNCTION search_document_vector()
        """,
        "DROP TRIGGER IF EXISTS search_document_vector ON search_searchdocument",
    ),
    (
        "CREATE INDEX search_document_vector_gin ON search_searchdocument USING gin (vector)",
        "DROP INDEX IF EXISTS search_document_vector_gin",
    ),
    (
        "CREATE INDEX search_document_names_trgm ON search_searchdocument USING gin (names gin_trgm_ops)",
        "DROP INDEX IF EXISTS search_document_names_trgm",
    ),
]

SQLITE = [
    (
        """
        CREATE VIRTUAL TABLE search_fts USING fts5(
            names, text, content='search_searchdocument', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        )
        """,
        "DROP TABLE IF EXISTS search_fts",
    ),
    (
        """
        CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
            INSERT INTO search_fts(rowid, names, text) VALUES (new.id, new.names, new.text);
        END
        """,
        "DROP TRIGGER IF EXISTS search_fts_insert",
    ),
    (
        """
        CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
            INSERT INTO search_fts(search_fts, rowid, names, text) VALUES ('delete', old.id, old.names, old.text);
        END
        """,
        "DROP TRIGGER IF EXISTS search_fts_delete",
    ),
    (
        """
        CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
            INSERT INTO search_fts(search_fts, rowid, names, text) VALUES ('delete', old.id, old.names, old.text);
            INSERT INTO search_fts(rowid, names, text) VALUES (new.id, new.names, new.text);
        END
        """,
        "DROP TRIGGER IF EXISTS search_fts_update",
    ),
]


def _run(statements, vendor, reverse=False):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != vendor:
            return
        for forward, backward in reversed(statements) if reverse else statements:
            schema_editor.execute(backward if reverse else forward)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        TrigramExtension(),  # PostgreSQL only; a no-op elsewhere
        migrations.RunPython(_run(POSTGRESQL, "postgresql"), _run(POSTGRESQL, "postgresql", reverse=True)),
        migrations.RunPython(_run(SQLITE, "sqlite"), _run(SQLITE, "sqlite", reverse=True)),
    ]
