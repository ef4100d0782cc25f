"""The database and Django setup the benchmarks share: each bench works in a database of its own
(SQLite under var/ by default, or a database of its own name on the PostgreSQL server of
--database-url), with production settings (DEBUG off: no query log)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from anywhere


def database_name(url: str, suffix: str) -> str:
    """The bench database's name: `<database of url>_<suffix>` on PostgreSQL (so that people who
    share a server keep to their own prefix), `support_portal_<suffix>` on SQLite."""
    parsed = urlparse(url or "")
    if parsed.scheme in ("postgres", "postgresql", "pgsql", "psql") and parsed.path.strip("/"):
        return f"{parsed.path.strip('/')}_{suffix}"
    return f"support_portal_{suffix}"


def prepare_database(url: str, *, name: str, keep: bool = False) -> str:
    """A fresh, empty database called `name` for the bench (or, with keep, the previous one), on
    SQLite (var/<name>.sqlite3) when `url` is empty or SQLite, else on the PostgreSQL server of
    `url` (the database named in `url` is never touched). Returns its URL."""
    if not url or url.startswith("sqlite"):
        path = ROOT / "var" / f"{name}.sqlite3"
        if keep and path.exists():
            return f"sqlite:///{path}"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql", "psql"):
        sys.exit(f"unsupported database URL {url!r}: SQLite (default) or PostgreSQL")
    import psycopg

    maintenance = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (keep and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def setup_django(url: str, *, name: str) -> None:
    """Django on `url` with production settings, migrated."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # Measure what production runs: no DEBUG query log, no login throttling on force_login.
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_VAR_DIR"] = str(ROOT / "var" / f"{name}-var")
    # The fills copy up to a million rows in one statement (and build trigram indexes): longer
    # than the 30 s a web request may take. The pages' own times are what the benches print.
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
