"""The portal's search results page by page: the count, the pages and what a page past the end
shows, with the count and the page read by one query (a search tests every ticket of the
customer, so it tests each once)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.pagination import CountedIdsPaginator
from tests.portal.conftest import open_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
MATCHING = 30  # more than a page (portal.views.tickets.PAGE_SIZE, 25)


@pytest.fixture
def found(world):
    """MATCHING tickets of Acme whose subject has "Gateway"; the world's own tickets don't."""
    return {
        open_ticket(world.acme_contract, world.acme_user, world.version, subject=f"Gateway {i}").pk
        for i in range(MATCHING)
    }


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {
        int(pk)
        for pk in re.findall(
            r'<td class="num"><a href="/tickets/(\d+)/"', response.content.decode()
        )
    }


def submit_search(client, term: str):
    """What the browser sends for the list page's filter form with `term` in its search box:
    every field of the form, the empty ones too, to the page itself (method GET)."""
    url = reverse("portal:ticket-list")
    html = client.get(url).content.decode()
    form = re.search(r'<form method="get" class="card filters".*?</form>', html, re.S).group(0)
    fields = dict.fromkeys(re.findall(r'<(?:input|select)[^>]* name="([^"]+)"', form), "")
    assert "search" in fields
    return client.get(url, fields | {"search": term})


def follow_next(client, response):
    """Click the page's "Next" link."""
    href = re.search(r'<a href="([^"]+)" rel="next"', response.content.decode()).group(1)
    return client.get(reverse("portal:ticket-list") + href.replace("&amp;", "&"))


def test_a_search_lists_every_match_once_over_its_pages_with_the_count(world, login, found):
    client = login(world.acme_user)
    first = submit_search(client, "gateway")
    second = follow_next(client, first)
    assert len(listed(first)) == 25
    assert "1–25 of 30" in first.content.decode()
    assert "1 / 2" in first.content.decode()
    assert "26–30 of 30" in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    assert listed(first) | listed(second) == found
    assert not listed(first) & listed(second)


# Typed or stale links (a bookmark kept after tickets were closed): not reachable from the form.
@pytest.mark.parametrize(("asked", "shown"), [(9, 2), (0, 2), ("x", 1), ("2.0", 1)])
def test_a_page_number_out_of_range_or_not_a_number_shows_a_page_as_django_does(
    world, login, found, asked, shown
):
    client = login(world.acme_user)
    url = reverse("portal:ticket-list")
    assert listed(client.get(url, {"search": "gateway", "page": asked})) == listed(
        client.get(url, {"search": "gateway", "page": shown})
    )


def test_a_search_without_match_shows_the_empty_state(world, login, found):
    response = submit_search(login(world.acme_user), "nowhere")
    assert listed(response) == set()
    assert "No ticket matches these filters." in response.content.decode()


def test_another_customers_matches_are_neither_listed_nor_counted(world, login, found):
    open_ticket(world.globex_contract, world.globex_user, world.version, subject="Gateway G")
    client = login(world.acme_user)
    response = follow_next(client, submit_search(client, "gateway"))
    assert "26–30 of 30" in response.content.decode()
    assert listed(response) <= found


def test_a_search_counts_in_the_query_that_reads_its_page(world, login, found):
    """Without a search the count reads an index alone; with one, a separate COUNT(*) would test
    every ticket a second time."""
    client = login(world.acme_user)
    first = submit_search(client, "gateway")
    with CaptureQueriesContext(connection) as queries:
        follow_next(client, first)
    sqls = [q["sql"].upper() for q in queries]
    assert any("COUNT(*) OVER ()" in sql for sql in sqls)
    assert not any(sql.startswith("SELECT COUNT(*)") and "TICKETS_TICKET" in sql for sql in sqls)


def test_the_paginator_refuses_a_distinct_list_whose_window_would_count_duplicates():
    with pytest.raises(ValueError):
        CountedIdsPaginator(Ticket.objects.distinct().order_by("pk"), 25)
