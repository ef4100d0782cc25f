"""Celery signal receivers: the request id travels in a task header and is set again in the
worker; each task run writes one JSON log line (task, id, request id, state, duration) and the
last run of each task is kept (ops.models.JobRun) for /readyz and /metrics."""

import logging
import time

from celery.signals import before_task_publish, task_failure, task_postrun, task_prerun
from django.db import DatabaseError
from django.db.models import F
from django.utils import timezone

from ops.context import new_request_id, request_id
from ops.models import JobRun
from ops.watchdog import PING_TASK

logger = logging.getLogger("ops.tasks")
HEADER = "request_id"
_started: dict[str, tuple[float, object]] = {}


@before_task_publish.connect(dispatch_uid="ops.request_id_header")
def add_request_id(headers=None, **kwargs) -> None:
    if headers is not None and not headers.get(HEADER):
        headers[HEADER] = request_id.get() or new_request_id()


@task_prerun.connect(dispatch_uid="ops.task_started")
def task_started(task_id=None, task=None, **kwargs) -> None:
    if task.name == PING_TASK:  # every few seconds in every worker: not a job to record
        return
    incoming = getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER)
    token = request_id.set(new_request_id(incoming))
    _started[task_id] = (time.monotonic(), token)
    now = timezone.now()
    try:
        JobRun.objects.update_or_create(task=task.name, defaults={"started_at": now})
    except DatabaseError:
        logger.warning("could not record the start of a task", extra={"task": task.name})


@task_postrun.connect(dispatch_uid="ops.task_finished")
def task_finished(task_id=None, task=None, retval=None, state=None, **kwargs) -> None:
    if task.name == PING_TASK:
        return
    started, token = _started.pop(task_id, (time.monotonic(), None))
    duration = time.monotonic() - started
    logger.info(
        "task",
        extra={
            "task": task.name,
            "task_id": task_id,
            "state": state,
            "duration_ms": round(duration * 1000, 1),
            "queue": (task.request.delivery_info or {}).get("routing_key", ""),
        },
    )
    try:
        JobRun.objects.filter(task=task.name).update(
            finished_at=timezone.now(),
            duration=duration,
            succeeded=state == "SUCCESS",
            result=retval if state == "SUCCESS" and isinstance(retval, dict) else {},
            runs=F("runs") + 1,
        )
    except DatabaseError:
        logger.warning("could not record the end of a task", extra={"task": task.name})
    if token is not None:
        request_id.reset(token)


@task_failure.connect(dispatch_uid="ops.task_failed")
def task_failed(task_id=None, exception=None, sender=None, **kwargs) -> None:
    logger.error(
        "task failed",
        extra={"task": getattr(sender, "name", ""), "task_id": task_id,
               "error": type(exception).__name__},
    )  # fmt: skip
