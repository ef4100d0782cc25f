"""The settings of the test run: the project's, for a laptop (DJANGO_DEBUG=true unless the
environment says otherwise), as `make run` has them. pytest-django still runs the tests with
DEBUG off; production settings are tested in subprocesses (tests/test_settings.py)."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings import *  # noqa: F403
