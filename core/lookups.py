"""`field__in_ids=<queryset of ids>`: the same rows as `__in`, spelled so PostgreSQL can read an
index for it and combine it with other indexed conditions.

PostgreSQL answers `id IN (SELECT ...)` inside an OR with a hashed subplan tested row by row: the
OR cannot become a BitmapOr, so a rare search term walks the whole table. `id = ANY(ARRAY(SELECT
...))` is an index condition (the array is computed once, as an InitPlan), so an OR of it with
trigram conditions becomes one BitmapOr of index scans. Elsewhere (SQLite) it is a plain IN."""

from django.db.models import Field, Lookup


@Field.register_lookup
class InIds(Lookup):
    lookup_name = "in_ids"

    def get_prep_lookup(self):
        return self.rhs  # a queryset, compiled as a subquery

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
