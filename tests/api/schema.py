"""Check API responses against the OpenAPI schema that drf-spectacular serves."""

from functools import cache

import jsonschema
from drf_spectacular.generators import SchemaGenerator


@cache
def openapi() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(node):
    """OpenAPI 3.0's `nullable` as JSON Schema's null type; everything else as is."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        elif "$ref" in node or "allOf" in node or "oneOf" in node:
            node = {"oneOf": [{"type": "null"}, node]}
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    return node


def operations() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, methods in openapi()["paths"].items()
        for method in methods
        if path.startswith("/api/v1/")
    }


def assert_conforms(method: str, path: str, response) -> None:
    """The response's status is documented for the operation and its JSON body matches."""
    spec = openapi()
    documented = spec["paths"][path][method.lower()]["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method} {path}: {status} is not documented"
    content = documented[status].get("content")
    if not content:
        assert not response.content, f"{method} {path}: {status} should have no body"
        return
    media_type = response["Content-Type"].split(";")[0].strip()
    assert media_type in content, f"{method} {path}: {media_type} is not documented"
    if media_type != "application/json":
        # A file: the schema says binary; its bytes are the test's business.
        if response.streaming:
            b"".join(response.streaming_content)  # and closes the file
        return
    schema = _json_schema(
        {**content["application/json"]["schema"], "components": spec["components"]}
    )
    jsonschema.validate(response.json(), schema)
