"""Real-looking e-mails as the clients our customers use write them: Gmail and Outlook in
English and Chinese, QQ Mail, Foxmail, an HTML-only client, attachments, an out-of-office
auto-reply and a bounce (delivery status report). Built with the standard library, as bytes."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

DATE = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def mail(
    *,
    sender: str,
    to: str = "support@example.com",
    subject: str = "Broker refuses connections",
    text: str | None = "All clients get connection refused since 09:40.",
    html: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
    message_id: str | None = None,
    name: str = "",
) -> bytes:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>" if name else sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(DATE)
    message["Message-ID"] = message_id or make_msgid(domain="customer.test")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for key, value in (headers or {}).items():
        message[key] = value
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for filename, content, kind in attachments:
        maintype, subtype = kind.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


GMAIL_ZH_REPLY = (
    "重启之后恢复了，谢谢！\n\n"
    "在 2026年11月23日周一 10:30，EMQ Support <support@example.com> 写道：\n"
    "> 请重启节点 2。\n> \n> 技术支持\n"
)
QQ_REPLY = (
    "日志已附上，请查收。\n\n"
    "------------------&nbsp;原始邮件&nbsp;------------------\n"
    '发件人: "EMQ Support"<support@example.com>;\n'
    "发送时间: 2026年11月23日(星期一) 上午10:30\n"
    '收件人: "张伟"<zhang@acme.test>;\n'
    "主题: [#12] Broker refuses connections\n\n"
    "请提供日志。\n"
)
FOXMAIL_REPLY = (
    "已经升级到 5.8.2。\n\n"
    "------------------ Original ------------------\n"
    'From:  "EMQ Support"<support@example.com>;\n'
    "Date:  Mon, Nov 23, 2026 10:30 AM\n"
    'To:  "zhang"<zhang@acme.test>;\n'
    "Subject:  [#12] Broker refuses connections\n\n"
    "请升级。\n"
)
OUTLOOK_ZH_REPLY = (
    "收到，明天上午操作。\n\n"
    "发件人: EMQ Support <support@example.com>\n"
    "发送时间: 2026年11月23日 10:30\n"
    "收件人: 张伟 <zhang@acme.test>\n"
    "主题: [#12] Broker refuses connections\n\n"
    "请升级。\n"
)
OUTLOOK_EN_REPLY = (
    "Thanks, that fixed it.\n\n"
    "Best regards,\nJohn Smith\nGlobex Corp.\n\n"
    "From: EMQ Support <support@example.com>\n"
    "Sent: Monday, November 23, 2026 10:30 AM\n"
    "To: John Smith <john@globex.test>\n"
    "Subject: [#12] Broker refuses connections\n\n"
    "Please upgrade.\n"
)
GMAIL_EN_REPLY = (
    "Node 2 is back after the restart.\n\n"
    "On Mon, Nov 23, 2026 at 10:30 AM EMQ Support <support@example.com> wrote:\n"
    "> Please restart node 2.\n"
)
SIGNATURE_REPLY = "Here are the logs.\n\n-- \nJohn Smith\nSRE, Globex Corp.\n+49 30 0000 0000\n"
HTML_ONLY_REPLY = (
    "<html><body><div>The cluster is <b>stable</b> now.</div><div><br></div>"
    '<div class="gmail_quote"><div>On Mon, Nov 23 EMQ Support wrote:</div>'
    "<blockquote>Please restart node 2.</blockquote></div></body></html>"
)


def out_of_office(*, sender: str, to: str = "support@example.com") -> bytes:
    return mail(
        sender=sender,
        to=to,
        subject="自动回复: [#12] Broker refuses connections",
        text="我正在休假，11月30日返回。",
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    )


def bounce(*, to: str = "support@example.com") -> bytes:
    message = EmailMessage()
    message["From"] = "Mail Delivery System <MAILER-DAEMON@mx.customer.test>"
    message["To"] = to
    message["Subject"] = "Undelivered Mail Returned to Sender"
    message["Message-ID"] = make_msgid(domain="mx.customer.test")
    message["Return-Path"] = "<>"
    message.set_content("This is the mail system at host mx.customer.test.")
    message.make_mixed()
    status = EmailMessage()
    status.set_content("Reporting-MTA: dns; mx.customer.test\n", subtype="plain")
    message.attach(status)
    message.replace_header(
        "Content-Type", 'multipart/report; report-type=delivery-status; boundary="b1"'
    )
    return bytes(message)
