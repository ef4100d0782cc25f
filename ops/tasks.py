"""The operations' own task: the watchdog's ping (ops.watchdog)."""

from celery import shared_task

from ops.watchdog import PING_TASK


@shared_task(name=PING_TASK, ignore_result=True)
def watchdog_ping() -> None:
    """Nothing to do: the watchdog only needs its worker to have received it."""
