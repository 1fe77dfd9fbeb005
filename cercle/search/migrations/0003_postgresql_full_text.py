"""PostgreSQL only: accent-insensitive French and English configurations, and the
GIN index on the documents' search vector.

`cercle_fr` and `cercle_en` copy `french` and `english` and run words through
`unaccent` before stemming, so "reseau" finds "réseau" and "vélos" finds "vélo".
`unaccent` is a trusted extension (PostgreSQL 13+): a database owner may create
it; otherwise a superuser creates it once beforehand.
On SQLite this migration does nothing (0002 does its part there).
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'cercle_fr') THEN
            CREATE TEXT SEARCH CONFIGURATION cercle_fr (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION cercle_fr
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'cercle_en') THEN
            CREATE TEXT SEARCH CONFIGURATION cercle_en (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION cercle_en
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
    END
    $$
    """,
    "CREATE INDEX IF NOT EXISTS search_document_vector "
    "ON search_searchdocument USING gin (search_vector)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS search_document_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS cercle_en",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS cercle_fr",
    # unaccent stays: other software in the database may use it.
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_sqlite_full_text"),
    ]

    operations = [
        migrations.RunPython(run(FORWARD), run(BACKWARD), elidable=False),
    ]
