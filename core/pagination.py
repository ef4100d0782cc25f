"""Counts that cost the same whatever the size of the table: a list says "more than N" instead of
counting every row (an exact COUNT(*) over a million tickets reads a million index entries).
Where a list's count stays exact, the count and the page come from one query."""

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, QuerySet, Window
from django.utils.functional import cached_property

# Rows counted at most: a page of the desk reads at most this many index entries to count.
COUNT_CAP = 1000


def _capped_sql(queryset: QuerySet, cap: int) -> tuple[str, tuple]:
    """SELECT COUNT(*) of at most cap + 1 rows of `queryset`, unordered."""
    sql, params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
    return f"SELECT COUNT(*) FROM ({sql}) capped", params  # noqa: S608 (Django's own SQL)


def capped_counts(querysets: dict[str, QuerySet], cap: int) -> dict[str, tuple[int, bool]]:
    """{name: (count, capped)} of each queryset in one query, each counted up to `cap`:
    (cap, True) when there are more."""
    if not querysets:
        return {}
    parts, params = [], []
    for queryset in querysets.values():
        sql, these = _capped_sql(queryset, cap)
        parts.append(f"({sql})")
        params.extend(these)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return {name: (min(n, cap), n > cap) for name, n in zip(querysets, row, strict=True)}


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` rows; `capped` says there are more (the pages
    beyond the cap are not offered)."""

    cap = COUNT_CAP

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        if not isinstance(self.object_list, QuerySet):
            n = len(self.object_list)
            return min(n, self.cap), n > self.cap
        n = self.object_list.order_by().values("pk")[: self.cap + 1].count()
        return min(n, self.cap), n > self.cap

    @cached_property
    def count(self) -> int:
        return self._capped[0]

    @property
    def capped(self) -> bool:
        return self._capped[1]


class CountedIdsPaginator(Paginator):
    """Pages of the ids of an ordered queryset, with the exact count read by the same query as
    the page (COUNT(*) OVER ()): a filter that tests every row, a search say, then tests each
    row once instead of twice (the count, then the page). A page past the last one costs the
    usual count first, then the last page, as Django's get_page does. No orphans."""

    def __init__(self, object_list: QuerySet, per_page: int) -> None:
        if object_list.query.distinct:
            raise ValueError("a window count counts the rows before DISTINCT")
        super().__init__(object_list, per_page)

    def get_page(self, number):
        try:
            number = self.validate_number_format(number)
        except ValueError:
            number = 1
        if number >= 1:
            start = (number - 1) * self.per_page
            rows = list(
                self.object_list.annotate(total_rows=Window(Count("*"))).values_list(
                    "pk", "total_rows"
                )[start : start + self.per_page]
            )
            if rows or number == 1:  # no row on page 1: there is none at all
                self.__dict__["count"] = rows[0][1] if rows else 0
                return self._get_page([pk for pk, _ in rows], number, self)
        return super().get_page(number)  # out of range: count, then the last page

    def page(self, number):
        page = super().page(number)
        page.object_list = list(page.object_list.values_list("pk", flat=True))
        return page

    @staticmethod
    def validate_number_format(number) -> int:
        """The page number as Django reads it (2 and "2" and 2.0, not 2.5 or "x")."""
        if isinstance(number, float) and not number.is_integer():
            raise ValueError(number)
        try:
            return int(number)
        except (TypeError, ValueError):
            raise ValueError(number) from None
