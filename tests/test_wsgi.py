"""The WSGI module each gunicorn worker imports: the application, built with the URLconf loaded
and the start-up objects moved out of the garbage collector's way (config/wsgi.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, sys
import config.wsgi
print(gc.get_freeze_count(), "tickets.api" in sys.modules, callable(config.wsgi.application))
"""


@pytest.mark.slow
def test_a_worker_starts_with_the_views_loaded_and_its_start_up_objects_frozen():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    frozen, views_loaded, application = result.stdout.split()
    assert int(frozen) > 10_000
    assert views_loaded == application == "True"
