"""The request id of the work under way: set by the request middleware (or taken from the
incoming X-Request-ID), carried to Celery in a task header, set again in the worker; every log
line carries it (ops.logging.RequestIdFilter)."""

import re
import uuid
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(incoming: str | None = None) -> str:
    """The incoming id when it looks like one (a proxy's), else a fresh one."""
    if incoming and _VALID.match(incoming):
        return incoming
    return uuid.uuid4().hex
