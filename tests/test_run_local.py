"""`make run` ends in `manage.py run_local`: the web server and a Celery worker with beat, from
a fresh var/ folder, stopped together. This walks that on a free port."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the web server, a worker and beat as processes

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_run_local_serves_the_portal_runs_the_worker_and_stops_everything(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_VAR_DIR": str(tmp_path / "var"),  # a fresh clone's var/: nothing exists yet
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    runner = subprocess.Popen(
        [sys.executable, "manage.py", "run_local", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        status, deadline = None, time.monotonic() + 60
        while status is None and time.monotonic() < deadline:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/").status
            except OSError:
                time.sleep(0.5)  # waiting for the server process to listen
        children = _children(runner.pid)
        # run_local exits as soon as a child does (a worker that cannot start dies at once).
        settled = time.monotonic() + 10
        while runner.poll() is None and time.monotonic() < settled:
            time.sleep(0.5)
        assert status == 200
        assert runner.poll() is None, "run_local stopped: a child exited"
        assert len(children) == 2
    finally:
        runner.send_signal(signal.SIGTERM)
        output = runner.communicate(timeout=60)[0]
    assert "Portal:" in output and "alice@acme.example" in output
    assert not [pid for pid in children if _alive(pid)], output
