"""`{% load desk_list %}`: `{% desk_result_list cl %}`, the change list's table as
`{% result_list cl %}` draws it, with the rows of core.admin_list.result_rows."""

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_hidden_fields
from django.contrib.admin.templatetags.base import InclusionAdminNode

from core.admin_list import list_filter_html, result_rows

register = template.Library()


def desk_result_list(cl) -> dict:
    """admin_list.result_list, with the rows drawn once per row instead of once per cell."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": result_rows(cl),
    }


@register.tag(name="desk_result_list")
def desk_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=desk_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )


@register.simple_tag
def desk_list_filter(cl, spec):
    """admin_list's {% admin_list_filter cl spec %}, drawn by core.admin_list."""
    return list_filter_html(cl, spec)
