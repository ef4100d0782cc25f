"""The worker side of bench/helpdesk_compare.py, shared by both products' workers (ours in the
project's virtual environment, django-helpdesk in its own): the same timing code on both sides.
Imports nothing but the standard library and Django.

A worker fills its database, then writes one JSON line to its protocol stream (its original
stdout; everything else it prints goes to stderr):
    {"ready": true, "info": {...}, "rows": {name: {"queries": n, "requests": k}}}
then answers each command line read from stdin with one JSON line:
    {"row": name, "n": 3}  ->  {"wall": [ms, ...], "cpu": [ms, ...]}
    {"quit": true}         ->  (exits)
A request that does not answer 200 is answered {"error": "..."} and the worker exits 2.

A row is what one person's action costs: the GET requests a browser makes for it (a page and
the JSON its script loads, timed together) or one call (creating a ticket), run inside
`around()` when given (e.g. an admin list's rows per page).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

WARM_UP = 3


@dataclass
class Row:
    requests: list = field(default_factory=list)  # [(client, url), ...]
    call: Callable[[], object] | None = None
    around: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext


class RequestFailed(Exception):
    pass


def protocol_stream():
    """The worker's original stdout, for protocol lines only; fd 1 now goes to stderr."""
    stream = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    return stream


def _get(client, url: str) -> None:
    response = client.get(url, secure=True)  # as production serves pages: over HTTPS
    if response.status_code != 200:
        where = response.get("Location", "")
        raise RequestFailed(
            f"GET {url} answered {response.status_code}{' -> ' + where if where else ''}"
        )


def _once(row: Row) -> None:
    if row.call is not None:
        row.call()
    for client, url in row.requests:
        _get(client, url)


def sample(row: Row, n: int) -> dict:
    wall, cpu = [], []
    with row.around():
        for _ in range(n):
            start, start_cpu = time.perf_counter(), time.process_time()
            _once(row)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    return {"wall": wall, "cpu": cpu}


class QueryCounter:
    """Counts the queries run inside `connection.execute_wrapper(counter)`: no query log, so no
    cap (Django's log keeps 9,000) and nothing to turn on with DEBUG off."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def prepare(row: Row) -> dict:
    """Warm-up samples, then one with its queries counted."""
    from django.db import connection

    counter = QueryCounter()
    with row.around():
        for _ in range(WARM_UP):
            _once(row)
        with connection.execute_wrapper(counter):
            _once(row)
    return {"queries": counter.count, "requests": len(row.requests) or 1}


def serve(rows: dict[str, Row], info: dict, out) -> int:
    """Announce the rows, then answer the orchestrator's commands until it says quit."""
    try:
        described = {name: prepare(row) for name, row in rows.items()}
    except RequestFailed as exc:
        out.write(json.dumps({"error": str(exc)}) + "\n")
        return 2
    out.write(json.dumps({"ready": True, "info": info, "rows": described}) + "\n")
    for line in sys.stdin:
        command = json.loads(line)
        if command.get("quit"):
            return 0
        try:
            answer = sample(rows[command["row"]], int(command.get("n", 1)))
        except RequestFailed as exc:
            out.write(json.dumps({"error": f"{command['row']}: {exc}"}) + "\n")
            return 2
        out.write(json.dumps(answer) + "\n")
    return 0
