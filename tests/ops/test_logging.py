"""One JSON log line per request and per task, with a request id that follows the work into
Celery; no personal data beyond ids."""

import json
import logging
from unittest import mock

import pytest
from django.urls import reverse

from ops.context import request_id
from ops.logging import JsonFormatter, RequestIdFilter
from ops.signals import add_request_id
from tests.factories import CustomerUserFactory
from tickets import tasks
from tickets.notifications import slots

pytestmark = pytest.mark.django_db


def json_lines(caplog, logger):
    formatter, stamp = JsonFormatter(), RequestIdFilter()
    lines = []
    for record in caplog.records:
        if record.name == logger:
            stamp.filter(record)
            lines.append(json.loads(formatter.format(record)))
    return lines


def test_each_request_writes_one_json_line_with_its_id_and_no_personal_data(client, caplog):
    user = CustomerUserFactory(email="alice@acme.test")
    client.force_login(user)

    with caplog.at_level(logging.INFO, logger="ops.requests"):
        response = client.get(reverse("portal:ticket-list"), HTTP_X_REQUEST_ID="proxy-id-1234")

    [line] = json_lines(caplog, "ops.requests")
    assert response["X-Request-ID"] == "proxy-id-1234"
    assert line["request_id"] == "proxy-id-1234"
    assert (line["view"], line["status"], line["user_id"]) == ("portal:ticket-list", 200, user.pk)
    assert "duration_ms" in line
    assert "alice" not in json.dumps(line)


def test_a_request_without_an_id_gets_a_fresh_one(client):
    first = client.get(reverse("portal:login"))["X-Request-ID"]
    second = client.get(reverse("portal:login"))["X-Request-ID"]

    assert len(first) == 32 and first != second


def test_the_request_id_travels_to_celery_in_a_task_header():
    token = request_id.set("req-1234567890")
    try:
        headers = {}
        add_request_id(headers=headers)
    finally:
        request_id.reset(token)

    assert headers == {"request_id": "req-1234567890"}


def test_a_task_logs_one_json_line_under_the_request_id_it_came_with(caplog):
    with (
        mock.patch.object(slots, "queue_task"),
        caplog.at_level(logging.INFO, logger="ops.tasks"),
    ):
        tasks.evaluate_clocks.apply(headers={"request_id": "req-1234567890"})

    [line] = json_lines(caplog, "ops.tasks")
    assert line["task"] == "tickets.tasks.evaluate_clocks"
    assert line["state"] == "SUCCESS"
    assert line["request_id"] == "req-1234567890"
