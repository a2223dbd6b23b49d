"""SQLite: the FTS5 index over place names, filled from what is there and kept in sync
by triggers (bulk_create and raw SQL included). PostgreSQL needs nothing here."""

from django.db import migrations

TABLE = "national_place_search"

CREATE = [
    f"""CREATE VIRTUAL TABLE {TABLE} USING fts5(
        name, place_id UNINDEXED, tokenize = "unicode61 remove_diacritics 2")""",
    f"""INSERT INTO {TABLE}(rowid, name, place_id)
        SELECT 2 * id, name, id FROM register_place""",
    f"""INSERT INTO {TABLE}(rowid, name, place_id)
        SELECT 2 * id + 1, name, place_id FROM register_placename""",
    f"""CREATE TRIGGER national_place_ai AFTER INSERT ON register_place BEGIN
        INSERT INTO {TABLE}(rowid, name, place_id) VALUES (2 * new.id, new.name, new.id); END""",
    f"""CREATE TRIGGER national_place_au AFTER UPDATE OF name ON register_place BEGIN
        DELETE FROM {TABLE} WHERE rowid = 2 * old.id;
        INSERT INTO {TABLE}(rowid, name, place_id) VALUES (2 * new.id, new.name, new.id); END""",
    f"""CREATE TRIGGER national_place_ad AFTER DELETE ON register_place BEGIN
        DELETE FROM {TABLE} WHERE rowid = 2 * old.id; END""",
    f"""CREATE TRIGGER national_placename_ai AFTER INSERT ON register_placename BEGIN
        INSERT INTO {TABLE}(rowid, name, place_id)
        VALUES (2 * new.id + 1, new.name, new.place_id); END""",
    f"""CREATE TRIGGER national_placename_au AFTER UPDATE ON register_placename BEGIN
        DELETE FROM {TABLE} WHERE rowid = 2 * old.id + 1;
        INSERT INTO {TABLE}(rowid, name, place_id)
        VALUES (2 * new.id + 1, new.name, new.place_id); END""",
    f"""CREATE TRIGGER national_placename_ad AFTER DELETE ON register_placename BEGIN
        DELETE FROM {TABLE} WHERE rowid = 2 * old.id + 1; END""",
]
DROP = [
    *(
        f"DROP TRIGGER IF EXISTS national_{name}"
        for name in (
            "place_ai",
            "place_au",
            "place_ad",
            "placename_ai",
            "placename_au",
            "placename_ad",
        )
    ),
    f"DROP TABLE IF EXISTS {TABLE}",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("register", "0004_historicalactivity_relations_and_more")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
