"""PostgreSQL: place names searched through GIN indexes, folded as SQLite's FTS5 folds
them (case and diacritics: "hango" finds Hangö). national_fold() is lower(unaccent())
when the unaccent extension can be installed, else lower() alone; it is IMMUTABLE so
that the indexes can use it. SQLite needs nothing here (migration 0001)."""

from django.db import migrations

FORWARD = [
    """DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS unaccent;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'unaccent is not available: national search folds case only';
    END $$""",
    """DO $$ DECLARE schema_name text; BEGIN
        SELECT n.nspname INTO schema_name FROM pg_extension e
            JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent';
        IF schema_name IS NULL THEN
            EXECUTE 'CREATE OR REPLACE FUNCTION national_fold(text) RETURNS text
                AS $f$ SELECT lower($1) $f$ LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE';
        ELSE
            EXECUTE format('CREATE OR REPLACE FUNCTION national_fold(text) RETURNS text
                AS $f$ SELECT lower(%1$I.unaccent(%2$L::regdictionary, $1)) $f$
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE',
                schema_name, schema_name || '.unaccent');
        END IF;
    END $$""",
    """CREATE INDEX IF NOT EXISTS national_place_name_fts ON register_place
        USING gin (to_tsvector('simple', national_fold(name)))""",
    """CREATE INDEX IF NOT EXISTS national_placename_name_fts ON register_placename
        USING gin (to_tsvector('simple', national_fold(name)))""",
]
BACKWARD = [
    "DROP INDEX IF EXISTS national_placename_name_fts",
    "DROP INDEX IF EXISTS national_place_name_fts",
    "DROP FUNCTION IF EXISTS national_fold(text)",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)  # no parameters: format()'s % signs are PostgreSQL's


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("national", "0002_partner_profile")]
    operations = [migrations.RunPython(forward, backward)]
