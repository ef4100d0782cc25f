"""A paginator for the back office's lists that grow without bound (clocks, the outbox)."""

from functools import cached_property

from django.core.paginator import Paginator


class CappedCountPaginator(Paginator):
    """Counts at most `cap` rows (`SELECT COUNT(*) FROM (... LIMIT cap)`): an exact count of a
    table of millions costs a full scan on every page view, and nobody pages past the hundredth
    page of a list; filters narrow it instead."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            return rows.order_by()[: self.cap].count()
        return min(len(rows), self.cap)
