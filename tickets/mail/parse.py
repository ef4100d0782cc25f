"""Reading one RFC 822 message: who sent it, to which addresses, which of our messages it
answers, whether it is an automatic message (RFC 3834 `Auto-Submitted`, `Precedence`, an empty
return path, a delivery status report, a mailer daemon), the new text of a reply (quoted history
and signatures stripped by mail-parser-reply, taught the headers of Chinese clients it misses),
and the attached files."""

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES, QUOTED_MATCH_INCLUDE

# mail-parser-reply knows Outlook's Chinese header block (发件人/发送时间/收件人/主题) and "从我的
# iPhone 发送"; its "在 … 写道：" rule never matches and it does not know the separators of QQ Mail
# and Foxmail. They are added as one more "language", the library's own extension point.
_Q = QUOTED_MATCH_INCLUDE
MAIL_LANGUAGES.setdefault(
    "zh-clients",
    {
        "wrote_header": (
            r"^(" + _Q + r"(?:在\s*)?.{0,80}?\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.{0,160}?"
            r"(?:写道|寫道)\s*[：:])\s*$"
        ),
        "from_header": (
            r"^("
            + _Q
            + r"-{5,}\s*(?:&nbsp;)?\s*(?:原始邮件|原始郵件|Original)\s*(?:&nbsp;)?\s*-{5,})\s*$"
        ),
        "sent_from": r"发自我的|从我的|來自我的",
    },
)
_REPLY_PARSER = EmailReplyParser(languages=["zh", "zh-clients", "en"])

_PRIORITY = re.compile(r"\[\s*(P[1-4])\s*\]", re.IGNORECASE)
_BRACKETS = re.compile(r"\[\s*([^\[\]]{1,60}?)\s*\]")
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|sv|回复|回覆|答复|转发|轉寄)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_DAEMONS = ("mailer-daemon", "postmaster")


@dataclass
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    recipients: list[str]
    in_reply_to: str
    references: str
    text: str
    full_text: str
    attachments: list = field(default_factory=list)
    automatic: str = ""  # why the message is automatic ("" when a person wrote it)

    @property
    def priority(self) -> str | None:
        match = _PRIORITY.search(self.subject)
        return match[1].upper() if match else None

    def bracketed(self) -> list[str]:
        """Words in [brackets] of the subject (a contract number, a priority)."""
        return [m.strip() for m in _BRACKETS.findall(self.subject)]

    @property
    def clean_subject(self) -> str:
        subject = _REPLY_PREFIX.sub("", self.subject)
        subject = _BRACKETS.sub("", subject)
        return " ".join(subject.split())[:200]


class _HtmlText(HTMLParser):
    """HTML to text for HTML-only mail: block elements break lines; quoted history
    (<blockquote>, Gmail's and QQ Mail's quote containers) and scripts are dropped."""

    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "hr"}
    SKIP = {"script", "style", "head", "title", "blockquote"}
    QUOTE_MARKERS = ("gmail_quote", "original-content", "divRplyFwdMsg", "moz-cite-prefix")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = " ".join(f"{k}={v}" for k, v in attrs if v)
        if self.skipping or tag in self.SKIP or any(m in attributes for m in self.QUOTE_MARKERS):
            if tag not in ("br", "hr", "img", "meta", "link", "input"):
                self.skipping.append(tag)
            return
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self.skipping:
            if self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.parts).splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()


def reply_text(text: str) -> str:
    """The new part of a reply: quoted history, reply headers and signatures removed."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    message = _REPLY_PARSER.read(text)
    body = message.replies[0].body if message.replies else text
    # Lines quoted with ">" that the parser kept (a reply without a header line above them).
    kept = [line for line in body.splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(kept).strip()


def _addresses(message: EmailMessage, *names: str) -> list[str]:
    values = [str(v) for name in names for v in message.get_all(name, [])]
    return [address.lower() for _name, address in getaddresses(values) if "@" in address]


def _automatic(message: EmailMessage, sender: str) -> str:
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return "auto_submitted"
    if str(message.get("Precedence", "")).strip().lower() in _AUTO_PRECEDENCE:
        return "precedence"
    if (
        message.get("X-Autoreply")
        or message.get("X-Autorespond")
        or message.get("X-Autoreply-From")
    ):
        return "auto_reply"
    return_path = message.get("Return-Path")
    if return_path is not None and parseaddr(str(return_path))[1] == "":
        return "empty_return_path"
    if message.get_content_type() == "multipart/report" or any(
        part.get_content_type() == "message/delivery-status" for part in message.walk()
    ):
        return "delivery_report"
    if sender.split("@")[0] in _DAEMONS:
        return "mailer_daemon"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "mailing_list"
    own = {settings.DEFAULT_FROM_EMAIL.lower(), settings.SUPPORT_REPLY_ADDRESS.lower()}
    if sender in {parseaddr(a)[1].lower() for a in own}:
        return "own_message"
    return ""


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset
        content = part.get_payload(decode=True).decode("utf-8", "replace")
    if part.get_content_type() == "text/html":
        return html_to_text(content)
    return content


def _attachments(message: EmailMessage) -> list[SimpleUploadedFile]:
    files = []
    for part in message.iter_attachments():
        name = part.get_filename()
        if not name or part.get_content_maintype() == "multipart":
            continue
        payload = part.get_payload(decode=True) or b""
        files.append(SimpleUploadedFile(name, payload, part.get_content_type()))
    return files


def parse_mail(raw: bytes) -> ParsedMail:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    message_id = str(message.get("Message-ID", "")).strip()
    if not message_id:
        # A message without an id is recognised by its content the next time it is seen.
        message_id = f"<sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    from_header = message.get("From")
    sender_name, sender = "", ""
    if from_header is not None and getattr(from_header, "addresses", None):
        first: Address = from_header.addresses[0]
        sender_name, sender = first.display_name, first.addr_spec.lower()
    full_text = _body(message)
    return ParsedMail(
        message_id=message_id[:255],
        sender=sender,
        sender_name=sender_name,
        subject=str(message.get("Subject", "")).strip()[:255],
        recipients=_addresses(message, "To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"),
        in_reply_to=str(message.get("In-Reply-To", "")),
        references=str(message.get("References", "")),
        text=reply_text(full_text),
        full_text=full_text.strip(),
        attachments=_attachments(message),
        automatic=_automatic(message, sender),
    )
