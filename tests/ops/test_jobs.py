"""The last run of each job (ops.models.JobRun), as the workers' signals record it."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from ops.models import JobRun
from tickets import tasks

pytestmark = pytest.mark.django_db


def test_a_job_whose_result_holds_a_time_is_recorded_as_finished():
    # The SLA figures job returns when it brought them up to date: a datetime.
    with freeze_time(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)):
        tasks.refresh_sla_figures.apply()  # through Celery's tracer: its signals record the run
    run = JobRun.objects.get(task="tickets.tasks.refresh_sla_figures")
    assert run.succeeded is True
    assert run.runs == 1
    assert run.finished_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert run.result["refreshed_at"].startswith("2026-03-02T08:00:00")
