"""Counts that cost the same whatever the size of the table: a list says "more than N" instead of
counting every row (an exact COUNT(*) over a million tickets reads a million index entries)."""

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
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
