"""Rendering and sending of the contracts app's e-mails: one message per recipient, in the
recipient's language, from templates/emails/contracts/<name>_subject.txt and <name>_body.txt.
Services call these from transaction.on_commit, so nothing is sent for a rolled-back write."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def password_set_url(user) -> str:
    """The invitation link: the portal's set-password page with a one-time token."""
    path = reverse(
        "portal:password-set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return site_url(path)


def render_email(*, template: str, language: str, context: dict) -> tuple[str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        full = {
            "site_url": settings.SITE_URL,
            "support_email": settings.SUPPORT_EMAIL,
            "support_hotline": settings.SUPPORT_HOTLINE,
            **context,
        }
        subject = render_to_string(f"emails/contracts/{template}_subject.txt", full)
        body = render_to_string(f"emails/contracts/{template}_body.txt", full)
    return " ".join(subject.split()), body


def send_to_users(*, template: str, users: Iterable, context: dict | None = None) -> int:
    """Send `template` to each user with an e-mail address, each in their own language; the
    context gets `recipient`. Returns the number of messages sent."""
    messages = []
    for user in users:
        if not user.email:
            continue
        subject, body = render_email(
            template=template,
            language=user.language,
            context={**(context or {}), "recipient": user},
        )
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
