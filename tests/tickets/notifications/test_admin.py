"""The back office of notifications: the outbox, the rota and webhooks (model permissions),
e-mail received, and "My notifications" for every staff member."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from tests.servers import WebhookServer
from tickets.notifications import slots
from tickets.notifications.models import (
    ChatWebhook,
    InboundEmail,
    Level,
    Notification,
    NotificationSetting,
    OnCallShift,
    WebhookKind,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker():
    with mock.patch.object(slots, "queue_task"):
        yield


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def test_the_outbox_lists_ticket_subject_recipient_and_zone_named_times(
    client, manager, open_ticket, contact
):
    ticket = open_ticket(priority="P3")
    client.force_login(manager)

    page = client.get(reverse("admin:notifications_notification_changelist")).content.decode()

    assert f"#{ticket.pk}" in page
    assert "Broker refuses connections" in page
    assert contact.email in page
    assert "(Asia/Shanghai)" in page
    assert f"/admin/tickets/ticket/{ticket.pk}/change/" in page


def test_the_outbox_list_queries_do_not_grow_with_rows(
    client, manager, open_ticket, django_assert_max_num_queries
):
    for _ in range(3):
        open_ticket(priority="P3")
    client.force_login(manager)
    url = reverse("admin:notifications_notification_changelist")
    client.get(url)
    for _ in range(5):
        open_ticket(priority="P3")

    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_a_manager_keeps_the_rota_in_the_back_office(client, manager, engineer):
    client.force_login(manager)
    url = reverse("admin:notifications_oncallshift_add")

    response = client.post(
        url,
        {
            "engineer": engineer.pk,
            "starts_at_0": "2026-12-01",
            "starts_at_1": "18:00",
            "ends_at_0": "2026-12-02",
            "ends_at_1": "09:00",
            "note": "night",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    shift = OnCallShift.objects.get()
    assert shift.starts_at.isoformat() == "2026-12-01T10:00:00+00:00"  # typed in Shanghai time
    page = client.get(reverse("admin:notifications_oncallshift_changelist")).content.decode()
    assert "2026-12-01 18:00 (Asia/Shanghai)" in page


def test_a_shift_that_ends_before_it_starts_is_refused(client, manager, engineer):
    client.force_login(manager)

    response = client.post(
        reverse("admin:notifications_oncallshift_add"),
        {"engineer": engineer.pk, "starts_at_0": "2026-12-02", "starts_at_1": "09:00",
         "ends_at_0": "2026-12-01", "ends_at_1": "18:00"},
    )  # fmt: skip

    assert response.status_code == 200
    assert not OnCallShift.objects.exists()


def test_an_engineer_without_the_permission_cannot_edit_the_rota(client, engineer):
    client.force_login(engineer)

    assert client.get(reverse("admin:notifications_oncallshift_add")).status_code == 403
    grant(engineer, "view_oncallshift")
    assert client.get(reverse("admin:notifications_oncallshift_changelist")).status_code == 200
    assert client.get(reverse("admin:notifications_oncallshift_add")).status_code == 403


def test_a_manager_adds_a_webhook_and_sends_a_test_message(client, manager):
    server = WebhookServer().start()
    try:
        client.force_login(manager)
        client.post(
            reverse("admin:notifications_chatwebhook_add"),
            {"name": "Ops group", "kind": WebhookKind.DINGTALK, "url": server.url("/robot/send"),
             "secret": "SECabc", "language": "en", "pages": "on", "sla_alerts": "on",
             "active": "on"},
        )  # fmt: skip
        chat = ChatWebhook.objects.get()
        page = client.get(reverse("admin:notifications_chatwebhook_changelist")).content.decode()
        assert "SECabc" not in page

        response = client.post(
            reverse("admin:notifications_chatwebhook_do", args=[chat.pk, "test"]), follow=True
        )

        assert response.status_code == 200
        row = Notification.objects.get(webhook=chat)
        assert row.event == "webhook_test"
    finally:
        server.stop()


def test_every_staff_member_sets_their_own_level(client, engineer):
    client.force_login(engineer)
    url = reverse("admin:notifications_notificationsetting_mine")

    assert "My notifications" in client.get(reverse("admin:index")).content.decode()
    response = client.post(url, {"level": Level.MINE})

    assert response.status_code == 302
    assert NotificationSetting.objects.get(user=engineer).level == Level.MINE
    # Without the view permission, the list sends them to their own setting.
    listing = client.get(reverse("admin:notifications_notificationsetting_changelist"))
    assert listing.status_code == 302 and listing["Location"].endswith("/mine/")


def test_e_mail_received_shows_outcome_reason_and_ticket(client, manager):
    InboundEmail.objects.create(
        message_id="<1@x>",
        source="imap",
        sender="someone@elsewhere.test",
        subject="Help",
        received_at=timezone.now() - timedelta(minutes=1),
        action="refused",
        reason="unknown_sender",
    )
    client.force_login(manager)

    page = client.get(reverse("admin:notifications_inboundemail_changelist")).content.decode()

    assert "someone@elsewhere.test" in page
    assert "unknown_sender" in page


def test_a_customer_cannot_reach_the_back_office_pages(client, contact):
    client.force_login(contact)

    response = client.get(reverse("admin:notifications_notificationsetting_mine"))

    assert response.status_code == 302  # to the admin login
