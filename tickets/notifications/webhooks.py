"""Posting a text to a chat webhook: a WeCom group robot, a DingTalk robot (signed with its
secret: HMAC-SHA256 of "<timestamp in ms>\\n<secret>", base64, as `timestamp` and `sign` query
parameters) or a Slack-compatible incoming webhook. Connect and read are bounded by
WEBHOOK_TIMEOUT, so a stuck chat server never holds a sender."""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from tickets.notifications.models import ChatWebhook, WebhookKind


class WebhookError(Exception):
    """The chat server refused or did not answer; the delivery is tried again later."""


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    text = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), text, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query += [("timestamp", str(timestamp_ms)), ("sign", dingtalk_sign(secret, timestamp_ms))]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def payload(kind: str, text: str) -> dict:
    if kind == WebhookKind.SLACK:
        return {"text": text}
    return {"msgtype": "text", "text": {"content": text}}


def webhook_post(webhook: ChatWebhook, text: str) -> None:
    """Post `text`; raise WebhookError unless the chat server says it took it."""
    url = webhook.url
    if webhook.kind == WebhookKind.DINGTALK and webhook.secret:
        url = _signed_url(url, webhook.secret, int(time.time() * 1000))
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise WebhookError(f"not an http(s) URL: {webhook.kind}")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=json.dumps(payload(webhook.kind, text), ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT) as response:  # noqa: S310
            body = response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise WebhookError(f"{type(exc).__name__}: {exc}") from exc
    if webhook.kind in (WebhookKind.WECOM, WebhookKind.DINGTALK):
        # Both answer 200 with {"errcode": 0, "errmsg": "ok"} or an error code.
        try:
            answer = json.loads(body)
        except ValueError as exc:
            raise WebhookError(f"unexpected answer: {body[:200]}") from exc
        if answer.get("errcode") != 0:
            raise WebhookError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")
