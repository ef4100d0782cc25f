"""Queue a Celery task by its name, so that a service can ask for a job without importing the
tasks module that imports it (the tasks sit above the services)."""

from celery import current_app


def queue_task(name: str, **kwargs) -> None:
    """`name` is the task's registered name, e.g. "tickets.tasks.send_pending_alerts"."""
    current_app.tasks[name].delay(**kwargs)
