"""A trigram index that finds two-character non-ASCII terms (two Chinese characters, the
commonest Chinese search) in messages on PostgreSQL: a trigram index cannot (a two-character
pattern has no trigram), so each search of one read every message.

The indexed expression (the same as tickets.selectors._Pairs) keeps the non-ASCII characters of
UPPER(body), each doubled, and turns every run of ASCII into a space: "XY" is in the body if
and only if "XXYY" is in the expression, and "XXYY" has two trigrams. English text leaves it
nearly empty, so the index stays small. Skipped on SQLite; not in the model state."""

from django.db import migrations

PAIRS_SQL = (
    "REGEXP_REPLACE(REGEXP_REPLACE(UPPER({column}), '[\\x01-\\x7f]+', ' ', 'g'), "
    "'([^ ])', '\\1\\1', 'g')"
)
BODY = '"body"'


class PostgresSQL(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    # CONCURRENTLY: messages can still be written while the index is built.
    atomic = False

    dependencies = [("tickets", "0009_index_tidy")]

    operations = [
        PostgresSQL(
            'CREATE INDEX CONCURRENTLY IF NOT EXISTS "message_body_pairs_trgm" '
            f'ON "tickets_message" USING gin (({PAIRS_SQL.format(column=BODY)}) gin_trgm_ops)',
            'DROP INDEX CONCURRENTLY IF EXISTS "message_body_pairs_trgm"',
        ),
    ]
