"""The desk's admin lists, drawn in a few milliseconds (issue 13).

Django's change list draws every cell through generic code: `lookup_field` (an exception per
column that is a method of the ModelAdmin), `display_for_field` (a dict of the field's choices,
translated again, per cell), `format_html`, and a `reverse()` with the list's filters parsed
again for every row's link. `result_rows` gives the same HTML for the same columns with the work
that is the same on every row done once per page: which column is what, its CSS classes, the
labels of a field's choices, the change page's URL (the row's id put into it). A column it does
not know (a related lookup, a model method, a form of `list_editable`, a popup) leaves the whole
list to Django's own code, so the page is the same either way.

`DeskListMixin` gives a ModelAdmin these rows and a list without the sidebar of every model (the
breadcrumbs lead back), as the ticket page already is."""

import datetime
import html

from django.contrib.admin.options import ModelAdmin
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    admin_list_filter,
    results,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import iri_to_uri
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

# Stands for a row's id in the change page's URL, reversed once per page.
_MARKER = "8642097531"
_SELECTED = ' class="selected"'
_NOWRAP_FIELDS = (models.DateField, models.TimeField, models.ForeignKey)


class _Column:
    """One column of `list_display`, read once per page."""

    __slots__ = ("boolean", "choices", "classes", "empty", "field", "kind", "link", "name", "tag")

    def __init__(self, name: str, classes: str, empty: str, link: bool, tag: str):
        self.name, self.classes, self.empty, self.link, self.tag = name, classes, empty, link, tag
        self.kind = ""  # method | value | relation | choices | field | checkbox
        self.field = None
        self.choices: dict | None = None
        self.boolean = False


def _columns(cl) -> list[_Column] | None:
    """The columns of `cl`, or None when one of them is not of the kinds drawn here."""
    model_admin = cl.model_admin
    opts = cl.lookup_opts
    empty = model_admin.get_empty_value_display()
    links = cl.list_display_links
    columns = []
    first = True
    for index, name in enumerate(cl.list_display):
        if not isinstance(name, str) or LOOKUP_SEP in name:
            return None
        # As admin_list.items_for_result: the first column is the link when none is named.
        if links is None:
            link = False
        elif first and not links:
            link = True
        else:
            link = name in links
        tag = "td"
        if link:
            tag = "th" if first else "td"
            first = False
        column = _Column(name, f"field-{_coerce_field_name(name, index)}", empty, link, tag)
        try:
            field = _get_non_gfk_field(opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if not hasattr(model_admin, name) or name == "__str__":
                return None  # a model's attribute or method: Django's code draws these
            if name == "action_checkbox" and _default_checkbox(model_admin):
                if link:
                    return None
                column.kind, column.classes = "checkbox", "action-checkbox"
                column.field = gettext("Select this object for an action - {}")
                columns.append(column)
                continue
            attr = getattr(model_admin, name)
            column.kind, column.field = "method", attr
            column.empty = getattr(attr, "empty_value_display", empty)
            column.boolean = getattr(attr, "boolean", False)
        else:
            column.field = field
            if field.auto_created:
                column.kind = "value"
            elif isinstance(field.remote_field, models.ManyToOneRel):
                column.kind = "relation"
            elif getattr(field, "flatchoices", None):
                try:
                    column.choices = {key: str(label) for key, label in field.flatchoices}
                except TypeError:  # list-like choices
                    column.kind = "field"
                else:
                    column.kind = "choices"
            else:
                column.kind = "field"
            if not field.auto_created and isinstance(field, _NOWRAP_FIELDS):
                column.classes += " nowrap"
        columns.append(column)
    return columns


def _default_checkbox(model_admin) -> bool:
    return type(model_admin).action_checkbox is ModelAdmin.action_checkbox


def _change_url_parts(cl) -> tuple[str, str] | None:
    """The change page's URL of a row, with the list's filters preserved, as (before the id,
    after the id), HTML-escaped; None when the model has no change page."""
    opts = cl.opts
    try:
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=(_MARKER,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return None
    url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": opts}, url)
    head, _sep, tail = url.partition(_MARKER)
    return escape(head), escape(tail)


def _escaped(value) -> str:
    """conditional_escape(value), without its wrappers (a list page escapes a thousand cells):
    Django's escape is html.escape of the text, and safe text has __html__."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _cell(column: _Column, obj) -> tuple[object, str]:
    """(what the cell shows, its CSS classes), as admin_list.items_for_result has them."""
    kind = column.kind
    classes = column.classes
    if kind == "method":
        try:
            value = column.field(obj)
        except ObjectDoesNotExist:
            return column.empty, classes
        if isinstance(value, str) and not column.boolean:
            # Text (safe or not) is shown as it is; blank text is "empty".
            return (value if value.strip() else column.empty), classes
        if isinstance(value, (datetime.date, datetime.time)):
            classes += " nowrap"
        return display_for_value(value, column.empty, column.boolean), classes
    try:
        value = getattr(obj, column.name)
    except ObjectDoesNotExist:
        return column.empty, classes
    if isinstance(value, str) and value.strip() == "":
        value = ""
    if kind == "choices":
        return column.choices.get(value, column.empty), classes
    if kind == "relation":
        return (column.empty if value is None else value), classes
    if kind == "value":
        if isinstance(value, (datetime.date, datetime.time)):
            classes += " nowrap"
        return display_for_value(value, column.empty, False), classes
    return display_for_field(value, column.field, column.empty, avoid_link=column.link), classes


def _checkbox(column: _Column, obj) -> str:
    """ModelAdmin.action_checkbox's widget, as its template draws it."""
    label = column.field.format(html.escape(str(obj)))
    return (
        f'<td class="action-checkbox"><input type="checkbox" name="_selected_action" '
        f'value="{html.escape(str(obj.pk))}" class="action-select" aria-label="{label}"></td>'
    )


def result_rows(cl) -> list[ResultList]:
    """The rows of the change list `cl`, each one piece of HTML (what
    admin_list.results(cl) gives cell by cell)."""
    columns = None
    if not (cl.formset or cl.is_popup or cl.to_field):
        columns = _columns(cl)
    if columns is None:
        return list(results(cl))
    url = _change_url_parts(cl) if any(c.link for c in columns) else None
    pk_name = cl.lookup_opts.pk.attname
    rows = []
    for obj in cl.result_list:
        cells = []
        for column in columns:
            if column.kind == "checkbox":
                cells.append(_checkbox(column, obj))
                continue
            shown, classes = _cell(column, obj)
            text = _escaped(shown)
            if column.link and url is not None:
                text = f'<a href="{_row_url(cl, obj, pk_name, url)}">{text}</a>'
            cells.append(f'<{column.tag} class="{classes}">{text}</{column.tag}>')
        rows.append(ResultList(None, [mark_safe("".join(cells))]))  # noqa: S308 (escaped above)
    return rows


def _row_url(cl, obj, pk_name: str, url: tuple[str, str]) -> str:
    pk = getattr(obj, pk_name)
    if type(pk) is int:
        return f"{url[0]}{pk}{url[1]}"
    # Any other key: quoted as Django quotes it.
    return escape(
        add_preserved_filters(
            {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, cl.url_for_result(obj)
        )
    )


def list_filter_html(cl, spec) -> SafeString:
    """admin_list.admin_list_filter(cl, spec), admin/filter.html drawn here: the ticket list
    has eight filters of up to a dozen choices, each a template variable or three."""
    if spec.template != "admin/filter.html":
        return admin_list_filter(cl, spec)
    title = conditional_escape(spec.title)
    by = gettext(" By %(filter_title)s ") % {"filter_title": title}
    items = "".join(
        f"\n    <li{_SELECTED if choice['selected'] else ''}>\n"
        f'    <a href="{html.escape(iri_to_uri(choice["query_string"]))}">'
        f"{_escaped(choice['display'])}</a></li>\n  "
        for choice in spec.choices(cl)
    )
    return mark_safe(  # noqa: S308 (every text above is escaped)
        f'\n<details data-filter-title="{title}" open>\n  <summary>\n    {by}\n  </summary>\n'
        f"  <ul>\n  {items}\n  </ul>\n</details>\n"
    )


class DeskChangeList(ChangeList):
    """A ChangeList whose page of rows loads only the model admin's `list_only` fields (what
    the columns show, through `list_select_related` too): a row of the outbox read sixteen
    dates of six tables to show three. Counts, filters and actions use the whole rows."""

    def get_results(self, request):
        queryset = self.queryset
        if self.model_admin.list_only:
            self.queryset = queryset.only(*self.model_admin.list_only)
        try:
            super().get_results(request)
        finally:
            self.queryset = queryset


class DeskListMixin:
    """A ModelAdmin whose change list draws its rows with `result_rows`, loads only the fields
    named in `list_only` (all when empty) and leaves out the sidebar of every model: the desk's
    lists are read all day, and the sidebar was a third of a list's rendering. A ModelAdmin
    with its own change list template extends admin/desk_change_list.html."""

    change_list_template = "admin/desk_change_list.html"
    list_only: tuple[str, ...] = ()

    def get_changelist(self, request, **kwargs):
        return DeskChangeList

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        )
