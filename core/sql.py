"""Raw SQL pieces the set-wise writers share (the sweep, its alerts, the ticket summaries)."""

from collections.abc import Sequence

from django.db import connection


def in_ids(column: str, ids: Sequence[int]) -> tuple[str, list]:
    """`column IN (ids)` and its parameters. On PostgreSQL the ids travel as one array
    (`column = ANY(%s)`): a thousand placeholders cost the driver more Python to bind, and the
    server more to parse, than the statement's own work. Elsewhere one placeholder per id."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)
