"""Web, worker and beat write to one SQLite file. With Django's default deferred transactions a
read-then-write transaction fails with "database is locked" when another process writes; the
project opens SQLite in WAL mode with IMMEDIATE transactions and a busy timeout, so concurrent
writers queue and none of their writes is lost."""

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # four writer processes

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 4
ROUNDS = 40

WRITER = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.db import connection, transaction

    for _ in range(int(sys.argv[1])):
        # Read, then write from what was read: the pattern that deferred transactions lose.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT COALESCE(MAX(n), 0) FROM counter")
                (last,) = cursor.fetchone()
                cursor.execute(
                    "INSERT INTO counter (n, writer) VALUES (%s, %s)", [last + 1, sys.argv[2]]
                )
    print("done")
    """
)


def test_concurrent_writer_processes_lose_no_write(tmp_path):
    db = tmp_path / "concurrency.sqlite3"
    with sqlite3.connect(db) as setup:
        setup.execute("CREATE TABLE counter (n INTEGER NOT NULL UNIQUE, writer TEXT NOT NULL)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
    }
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(ROUNDS), f"w{i}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    results = [w.communicate(timeout=120) for w in writers]
    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert "done" in out

    with sqlite3.connect(db) as check:
        rows = check.execute("SELECT n, writer FROM counter ORDER BY n").fetchall()
        journal = check.execute("PRAGMA journal_mode").fetchone()[0]
    assert [n for n, _ in rows] == list(range(1, PROCESSES * ROUNDS + 1))
    assert {w for _, w in rows} == {f"w{i}" for i in range(PROCESSES)}
    assert journal == "wal"
