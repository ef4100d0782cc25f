"""The OpenAPI schema, its documentation page, and the error shape of edge cases."""

import pytest
from rest_framework.test import APIClient

from tests.api.schema import openapi


def test_schema_is_served_as_openapi_3(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "/api/v1/tickets/" in response.json()["paths"]


def test_docs_page_loads_swagger_ui_from_this_server_not_a_cdn(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_sidecar_static_files_are_found():
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_every_operation_documents_its_errors():
    for path, methods in openapi()["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            if path != "/api/v1/auth/token/":
                assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method == "post":
                assert "400" in codes, (method, path)


def test_staff_actions_say_they_are_for_staff():
    paths = openapi()["paths"]
    for action in ["respond", "restore", "resolve", "downgrade", "propose-agreement"]:
        summary = paths[f"/api/v1/tickets/{{id}}/{action}/"]["post"]["summary"]
        assert summary.startswith("Support:"), action


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "parse_error"),
        ("<xml/>", "application/xml", 415, "unsupported_media_type"),
        ('["a", "list"]', "application/json", 400, "invalid"),
    ],
)
def test_malformed_requests_are_json_4xx(world, body, content_type, status, code):
    response = world.client("acme").post(
        f"/api/v1/tickets/{world.acme_ticket.pk}/messages/", body, content_type=content_type
    )
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_unknown_method_is_405_json(world):
    response = world.client("acme").delete("/api/v1/tickets/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_page_past_the_end_is_404_json(world):
    response = world.client("acme").get("/api/v1/tickets/", {"page": 99})
    assert response.status_code == 404
    assert response.json()["detail"]


def test_clock_states_in_the_schema_are_the_sla_states():
    from tickets.models import SlaState

    states = openapi()["components"]["schemas"]["StateEnum"]["enum"]
    assert set(states) == set(SlaState.values)
