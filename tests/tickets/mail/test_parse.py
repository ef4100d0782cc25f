"""Reading e-mail: the new text of replies from Chinese and English clients, HTML-only mail,
attachments, and automatic messages recognised."""

import pytest

from tests.tickets.mail import samples
from tickets.mail.parse import parse_mail

SENDER = "zhang@acme.test"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (samples.GMAIL_ZH_REPLY, "重启之后恢复了，谢谢！"),
        (samples.QQ_REPLY, "日志已附上，请查收。"),
        (samples.FOXMAIL_REPLY, "已经升级到 5.8.2。"),
        (samples.OUTLOOK_ZH_REPLY, "收到，明天上午操作。"),
        (samples.OUTLOOK_EN_REPLY, "Thanks, that fixed it."),
        (samples.GMAIL_EN_REPLY, "Node 2 is back after the restart."),
        (samples.SIGNATURE_REPLY, "Here are the logs."),
    ],
    ids=["gmail-zh", "qq-mail", "foxmail", "outlook-zh", "outlook-en", "gmail-en", "signature"],
)
def test_quoted_history_and_signatures_are_stripped(text, expected):
    assert parse_mail(samples.mail(sender=SENDER, text=text)).text == expected


def test_html_only_mail_becomes_text_without_the_quote():
    parsed = parse_mail(samples.mail(sender=SENDER, text=None, html=samples.HTML_ONLY_REPLY))

    assert parsed.text == "The cluster is stable now."


def test_attachments_are_read_with_their_names():
    raw = samples.mail(
        sender=SENDER,
        attachments=[
            ("emqx.log", b"2026-11-23 error\n", "text/plain"),
            ("日志.zip", b"PK\x03\x04x", "application/zip"),
        ],
    )

    names = [f.name for f in parse_mail(raw).attachments]

    assert names == ["emqx.log", "日志.zip"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (samples.out_of_office(sender=SENDER), "auto_submitted"),
        (samples.mail(sender=SENDER, headers={"Precedence": "bulk"}), "precedence"),
        (samples.mail(sender=SENDER, headers={"X-Autoreply": "yes"}), "auto_reply"),
        (samples.mail(sender=SENDER, headers={"Return-Path": "<>"}), "empty_return_path"),
        (samples.bounce(), "empty_return_path"),
        (samples.mail(sender="MAILER-DAEMON@mx.test"), "mailer_daemon"),
        (samples.mail(sender=SENDER, headers={"List-Id": "<ops.acme.test>"}), "mailing_list"),
        (samples.mail(sender="support@example.com"), "own_message"),
    ],
    ids=["ooo", "precedence", "x-autoreply", "null-sender", "dsn", "daemon", "list", "own"],
)
def test_automatic_messages_are_recognised(raw, reason):
    assert parse_mail(raw).automatic == reason


def test_a_person_writing_with_auto_submitted_no_is_a_person():
    raw = samples.mail(sender=SENDER, headers={"Auto-Submitted": "no"})

    assert parse_mail(raw).automatic == ""


def test_subject_markers_give_the_priority_and_a_clean_subject():
    parsed = parse_mail(samples.mail(sender=SENDER, subject="回复：[P1] [ACME-5X8] 集群宕机"))

    assert parsed.priority == "P1"
    assert parsed.bracketed() == ["P1", "ACME-5X8"]
    assert parsed.clean_subject == "集群宕机"


def test_a_message_without_id_gets_one_from_its_content():
    raw = samples.mail(sender=SENDER).replace(b"Message-ID:", b"X-Old-ID:")

    assert parse_mail(raw).message_id == parse_mail(raw).message_id
    assert parse_mail(raw).message_id.startswith("<sha256-")
