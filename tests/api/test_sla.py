"""GET /api/v1/sla/preview/ answers exactly what `manage.py sla_preview` prints."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

URL = "/api/v1/sla/preview/"

CASES = [
    {"tier": "5x8", "priority": "P1", "opened_at": "2026-11-27T17:30", "calendar": "CN"},
    {"tier": "5x8", "priority": "P1", "opened_at": "2026-11-27T19:00", "calendar": "CN"},
    {"tier": "5x8", "priority": "P2", "opened_at": "2026-02-13T16:00", "calendar": "CN"},
    {"tier": "5x8", "priority": "P4", "opened_at": "2026-11-25T10:00"},
    {"tier": "7x24", "priority": "P1", "opened_at": "2026-11-27T23:30+00:00"},
    {
        "tier": "5x8",
        "priority": "P3",
        "opened_at": "2026-11-27T12:15",
        "calendar": "CN",
        "hours": "mon-fri 09:00-12:00,mon-fri 13:30-18:00",
    },
]


def command_output(params: dict) -> dict:
    args = []
    for name, value in params.items():
        args += [f"--{name.replace('_', '-')}", value]
    out = StringIO()
    call_command("sla_preview", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("params", CASES)
def test_preview_equals_the_command(world, params):
    params = {**params, "timezone": "Asia/Shanghai"}
    response = world.client("acme").get(URL, params)
    assert response.status_code == 200
    assert response.json() == command_output(params)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"tier": "9x5", "priority": "P1"}, "invalid"),
        ({"tier": "5x8", "priority": "P9"}, "invalid"),
        ({"tier": "5x8", "priority": "P1", "opened_at": "yesterday"}, "invalid"),
        ({"tier": "5x8", "priority": "P1", "timezone": "Mars/Olympus"}, "invalid"),
        ({"tier": "5x8", "priority": "P1", "calendar": "XX"}, "invalid"),
        ({"tier": "5x8", "priority": "P1", "hours": "someday 9-5"}, "invalid"),
    ],
)
def test_bad_input_is_400_with_the_reason_the_command_gives(world, params, code):
    params = {"opened_at": "2026-11-25T10:00", "timezone": "Asia/Shanghai", **params}
    response = world.client("staff").get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    with pytest.raises(CommandError) as refused:
        command_output(params)
    assert body["detail"] == str(refused.value)


def test_missing_parameters_are_400_naming_them(world):
    response = world.client("acme").get(URL, {"tier": "5x8"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"priority", "opened_at", "timezone"}
