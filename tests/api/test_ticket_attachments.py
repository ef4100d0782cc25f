"""Downloading attachments through the API: the caller gets a file only when they may see it
(tickets.selectors.attachments_for_user); anything else is 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import NOW
from tickets.services import attachment_add, message_post

pytestmark = pytest.mark.usefixtures("frozen")


def url(ticket, attachment) -> str:
    return f"/api/v1/tickets/{ticket.pk}/attachments/{attachment.pk}/"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def note_with_file(world, *, public: bool):
    """A staff message on Acme's answered ticket with a log attached; returns the file."""
    message = message_post(
        ticket=world.acme_answered,
        author=world.users["staff"],
        body="Our analysis." if public else "Internal: core dump from R&D.",
        public=public,
        attachments=[SimpleUploadedFile("analysis.txt", b"heap exhausted on node 2\n")],
        now=NOW,
    )
    return message.attachments.get()


def test_customer_downloads_a_file_of_their_ticket(world):
    response = world.client("acme").get(url(world.acme_answered, world.acme_file))

    assert response.status_code == 200
    assert body(response) == b"2026-11-25 10:00 ERROR node down\n"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="broker.log"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_download_any_file(world):
    response = world.client("staff").get(url(world.acme_answered, world.acme_file))

    assert response.status_code == 200
    assert body(response) == b"2026-11-25 10:00 ERROR node down\n"


@pytest.mark.parametrize("persona", ["globex", "partner", "outsider"])
def test_another_organisations_file_is_404(world, persona):
    response = world.client(persona).get(url(world.acme_answered, world.acme_file))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_file_asked_for_under_another_ticket_is_404(world):
    response = world.client("acme").get(url(world.acme_ticket, world.acme_file))

    assert response.status_code == 404


def test_a_partner_downloads_the_files_of_tickets_it_sold(world):
    file = attachment_add(
        ticket=world.initech_ticket,
        file=SimpleUploadedFile("rules.json", b'{"rule": "SELECT * FROM t"}'),
        by=world.users["staff"],
        now=NOW,
    )

    response = world.client("partner").get(url(world.initech_ticket, file))

    assert response.status_code == 200
    assert body(response) == b'{"rule": "SELECT * FROM t"}'


def test_files_of_a_public_message_are_the_customers(world):
    file = note_with_file(world, public=True)

    response = world.client("acme").get(url(world.acme_answered, file))

    assert response.status_code == 200


def test_files_of_an_internal_note_are_staff_only(world):
    file = note_with_file(world, public=False)
    ticket_url = f"/api/v1/tickets/{world.acme_answered.pk}/"

    assert world.client("acme").get(url(world.acme_answered, file)).status_code == 404
    assert world.client("staff").get(url(world.acme_answered, file)).status_code == 200
    customer_view = world.client("acme").get(ticket_url).json()["attachments"]
    staff_view = world.client("staff").get(ticket_url).json()["attachments"]
    assert [a["name"] for a in customer_view] == ["broker.log"]
    assert [a["name"] for a in staff_view] == ["broker.log", "analysis.txt"]


def test_a_file_missing_from_storage_is_404(world):
    world.acme_file.file.delete(save=False)

    response = world.client("acme").get(url(world.acme_answered, world.acme_file))

    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_file_comes_whatever_the_accept_header_and_errors_stay_json(world):
    client = world.client("acme")

    found = client.get(
        url(world.acme_answered, world.acme_file), HTTP_ACCEPT="application/octet-stream"
    )
    missing = client.get(url(world.acme_ticket, world.acme_file), HTTP_ACCEPT="application/pdf")

    assert found.status_code == 200
    assert body(found) == b"2026-11-25 10:00 ERROR node down\n"
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert missing.json()["code"] == "not_found"


def test_a_download_takes_two_queries(world, django_assert_num_queries):
    client = world.client("acme")

    with django_assert_num_queries(2):  # token and user, the file's row
        response = client.get(url(world.acme_answered, world.acme_file))

    assert body(response)


def test_an_id_too_big_for_the_database_is_404_not_500(world):
    huge = 7900877506953615507456

    response = world.client("staff").get(f"/api/v1/tickets/{huge}/attachments/{huge}/")

    assert response.status_code == 404
