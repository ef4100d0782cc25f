"""Chat webhooks (WeCom, DingTalk with its signature, Slack-compatible) against a local server
that records the calls: pages and SLA alerts reach them through the outbox, failures retry."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from sla.models import Priority
from tests.tickets.notifications.conftest import send
from tests.tickets.sla.factories import ClockFactory
from tickets.notifications.events import webhook_test
from tickets.notifications.models import ChatWebhook, Notification, WebhookKind
from tickets.sla.sweep import clocks_evaluate

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def hook(server, kind, **kwargs):
    return ChatWebhook.objects.create(
        name=kind, kind=kind, url=server.url(f"/{kind}/send?access_token=abc"), **kwargs
    )


def test_a_new_p1_is_posted_to_every_chat_that_takes_pages(webhook_server, open_ticket):
    hook(webhook_server, WebhookKind.WECOM, language="en")
    hook(webhook_server, WebhookKind.SLACK, language="en")
    hook(webhook_server, WebhookKind.DINGTALK, language="en", pages=False)

    ticket = open_ticket(priority=Priority.P1)
    result = send()

    paths = sorted(call.path for call in webhook_server.calls)
    assert paths == ["/slack/send", "/wecom/send"]
    wecom = next(c for c in webhook_server.calls if c.path == "/wecom/send")
    assert wecom.body["msgtype"] == "text"
    assert f"#{ticket.pk}" in wecom.body["text"]["content"]
    assert "[PAGE]" in wecom.body["text"]["content"]
    slack = next(c for c in webhook_server.calls if c.path == "/slack/send")
    assert f"/admin/tickets/ticket/{ticket.pk}/change/" in slack.body["text"]
    assert result.failed == 0


def test_dingtalk_calls_are_signed_with_the_robot_secret(webhook_server):
    secret = "SEC0123456789abcdef"
    chat = hook(webhook_server, WebhookKind.DINGTALK, secret=secret)

    webhook_test(webhook=chat, now=NOW)
    send()

    call = webhook_server.calls[0]
    timestamp = call.query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert call.query["sign"] == [expected]
    assert call.query["access_token"] == ["abc"]
    assert abs(int(timestamp) / 1000 - datetime.now(tz=UTC).timestamp()) < 60


def test_a_chat_error_code_keeps_the_row_for_a_retry(webhook_server):
    chat = hook(webhook_server, WebhookKind.WECOM)
    webhook_server.answer_errcode = 93000

    webhook_test(webhook=chat, now=NOW)
    first = send(NOW)
    webhook_server.answer_errcode = 0
    second = send(NOW + timedelta(minutes=1))

    assert (first.failed, second.sent) == (1, 1)
    row = Notification.objects.get()
    assert row.attempts == 2 and row.sent_at == NOW + timedelta(minutes=1)


def test_sla_breaches_reach_the_chats_that_take_alerts(webhook_server):
    hook(webhook_server, WebhookKind.SLACK, language="en")
    hook(webhook_server, WebhookKind.WECOM, sla_alerts=False)
    clock = ClockFactory(
        started_at=NOW - timedelta(hours=3),
        due_at=NOW - timedelta(minutes=1),
        at_risk_at=NOW - timedelta(minutes=30),
    )

    clocks_evaluate(now=NOW)
    send(NOW)

    assert [c.path for c in webhook_server.calls] == ["/slack/send"]
    assert f"#{clock.ticket_id}" in webhook_server.calls[0].body["text"]
    assert "breached" in webhook_server.calls[0].body["text"]


def test_an_unreachable_chat_fails_within_its_timeout(settings):
    settings.WEBHOOK_TIMEOUT = 1
    chat = ChatWebhook.objects.create(
        name="gone", kind=WebhookKind.SLACK, url="http://127.0.0.1:9/slack"
    )

    webhook_test(webhook=chat, now=NOW)
    result = send(NOW)

    assert result.failed == 1
    assert Notification.objects.get().last_error
