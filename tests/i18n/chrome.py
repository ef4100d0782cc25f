"""What a page says in its own words (its "chrome"), and the checks that it speaks one language.

`chrome_text(html)` keeps the text a reader sees (text nodes, and the attributes read aloud or
shown: title, placeholder, aria-label, alt, the value of buttons) and drops scripts, styles and
form values. `language_problems(text, language, user_data)` removes the user data (what people
typed, and reference data such as product names) and an allowlist (brand and product names,
P1-P4, SLA, URLs, e-mail addresses, numbers, time zones, ISO codes), then reports:

- on an English page: any CJK character, and any `1 hours`-style plural;
- on a Chinese page: any word of three or more Latin letters left (an untranslated msgid or
  English text from the code);
- on both: template or format placeholders that leaked (`%(name)s`, `{{`, `{%`).
"""

import re
from html.parser import HTMLParser
from zoneinfo import available_timezones

SKIPPED_ELEMENTS = {"script", "style", "textarea", "noscript", "template", "svg"}
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
BUTTON_TYPES = {"submit", "button", "reset"}
DJANGO_ICONS = "/static/admin/img/"

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
WORD = re.compile(r"[A-Za-z]{3,}")
# `1 hours`: a plural form after one (English only).
BAD_PLURAL = re.compile(
    r"(?<![\d.,:])\b1 (hours|days|minutes|seconds|weeks|months|tickets|messages|contacts|"
    r"contracts|items|breaches|results|entries|alerts|notifications|replies|files)\b"
)
LEAKED_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|\{\{|\{%|%\}|\}\}")

URL = re.compile(r"(?:https?://|/)[\w./?=&%#:+-]+[\w/]")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ZONES = sorted(available_timezones() | {"UTC", "GMT"}, key=len, reverse=True)
ZONE = re.compile(r"\b(?:" + "|".join(re.escape(z) for z in ZONES if "/" in z) + r")\b")

# Names that stay as they are in every language: products and brands, standard abbreviations,
# codes people type (ISO, time zones), the language switch's own names.
# fmt: off
ALLOWED_WORDS = {
    # brands, products, protocols, formats
    "EMQX", "EMQ", "MQTT", "Kubernetes", "TOTP", "OTP", "FreeOTP", "Google", "Microsoft",
    "Authenticator", "DingTalk", "WeCom", "Feishu", "Lark", "Slack", "Skype", "QQ", "WeChat",
    "HTTP", "HTTPS", "SMTP", "IMAP", "MTA", "JSON", "CSV", "PDF", "PNG", "JPEG", "JPG", "GIF",
    "ZIP", "YAML", "API", "REST", "OpenAPI", "Swagger", "ReDoc", "UUID", "POST", "GET", "curl",
    "Bearer", "Authorization", "Incoming", "Webhook", "SEC",
    # SLA vocabulary used as-is in Chinese support contracts
    "SLA", "SLAs",
    # zones and codes
    "UTC", "GMT", "CST", "CET", "CEST", "ISO", "URL",
    # the language switch names each language in itself
    "English",
}
# fmt: on
# Every word of a time-zone name (a select of zones lists them all, the odd ones too).
ALLOWED_WORDS |= {w for zone in ZONES for w in re.findall(r"[A-Za-z]{3,}", zone)}
# Codes people type or copy: TOTP secrets (base32), masked hashes, file extensions, the weekly
# hours syntax, placeholders, JSON.
CODES = re.compile(
    r"\b[A-Z2-7]{16,}\b|\w+\*{4,}|\.[a-z0-9]{2,4}\b"
    r"|\b(?:mon|tue|wed|thu|fri|sat|sun)(?:-(?:mon|tue|wed|thu|fri|sat|sun))?\b"
    # placeholders people type into canned replies ({customer_name}); a stored JSON object
    r"|\{[a-z_]+\}|\{\s*\"[^{}]*\}"
)
ALLOWED_PHRASES = ["简体中文", "English", "中文"]


class _ChromeParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self._skip_depth += 1
            return
        if self._skip_depth:
            return
        attributes = dict(attrs)
        if tag == "img" and (attributes.get("src") or "").startswith(DJANGO_ICONS):
            # Django's own admin icons have untranslated alt texts ("True", "Search"): a
            # limitation of Django's templates, not of this project's chrome.
            attributes.pop("alt", None)
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        button = tag in ("input", "button") and attributes.get("type") in BUTTON_TYPES
        if button and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_startendtag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data):
        if not self._skip_depth and data.strip():
            self.parts.append(data)


def chrome_text(html: str) -> str:
    parser = _ChromeParser()
    parser.feed(html)
    parser.close()
    return "\n".join(" ".join(part.split()) for part in parser.parts)


def strip_user_data(text: str, values) -> str:
    """Remove the known user-data values, longest first (a name inside a longer one leaves no
    fragment behind), whole words only (a first name "John" leaves "Pacific/Johnston" alone)."""
    values = sorted({v for v in values if v}, key=len, reverse=True)
    present = [v for v in values if v in text]
    if not present:
        return text
    pattern = "|".join(rf"(?<![A-Za-z0-9]){re.escape(v)}(?![A-Za-z0-9])" for v in present)
    return re.sub(pattern, " ", text)


def _strip_allowed(text: str) -> str:
    text = EMAIL.sub(" ", text)
    text = URL.sub(" ", text)
    text = CODES.sub(" ", text)
    return ZONE.sub(" ", text)


def language_problems(text: str, language: str, user_data=()) -> list[str]:
    """What on a page is not in `language` ("en" or "zh-hans"); an empty list when it is."""
    text = strip_user_data(text, user_data)
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, " ")
    problems = [f"placeholder {m!r}" for m in sorted(set(LEAKED_PLACEHOLDER.findall(text)))]
    if language == "en":
        for line in text.splitlines():
            if CJK.search(line):
                problems.append(f"Chinese text {line.strip()!r}")
        problems += [f"plural {m.group(0)!r}" for m in BAD_PLURAL.finditer(text)]
        return problems
    text = _strip_allowed(text)
    for line in text.splitlines():
        words = [w for w in WORD.findall(line) if w not in ALLOWED_WORDS]
        if words:
            problems.append(f"English {' '.join(words)!r} in {line.strip()!r}")
    return problems
