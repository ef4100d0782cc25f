"""`manage.py sla_preview`: the exact interface of the foundation issue, on the seeded data."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation


def preview(*args: str) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("sla_preview", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("opened", "priority", "response", "restore"),
    [
        ("2026-11-27T17:30", "P1", "2026-11-30T10:30:00+08:00", "2026-11-30T16:30:00+08:00"),
        ("2026-11-27T19:00", "P1", "2026-11-30T11:00:00+08:00", "2026-11-30T17:00:00+08:00"),
        ("2026-02-13T16:00", "P2", "2026-02-14T11:00:00+08:00", "2026-03-03T16:00:00+08:00"),
    ],
)
def test_spec_worked_examples(opened, priority, response, restore):
    result = preview(
        "--tier", "5x8", "--priority", priority, "--opened-at", opened,
        "--timezone", "Asia/Shanghai", "--calendar", "CN",
    )  # fmt: skip
    assert result["due"]["response"] == response
    assert result["due"]["restore"] == restore


@pytest.mark.django_db
def test_output_shape_and_null_where_no_target():
    # 48 service hours from Wed 10:00: 8 (Wed) + 9 + 9 + 9 + 9 (Thu, Fri, Mon, Tue) + 4 = Wed 13:00.
    result = preview(
        "--tier", "5x8", "--priority", "P4", "--opened-at", "2026-11-25T10:00",
        "--timezone", "Asia/Shanghai",
    )  # fmt: skip
    assert result == {
        "tier": "5x8",
        "priority": "P4",
        "timezone": "Asia/Shanghai",
        "clock_start": "2026-11-25T10:00:00+08:00",
        "due": {"response": "2026-12-02T13:00:00+08:00", "restore": None, "fix": None},
    }


@pytest.mark.django_db
def test_fix_target_counts_working_days_at_the_same_local_time():
    # 50 working days from Fri 2026-11-27 17:30 (CN: no holiday until New Year's Day 2027).
    result = preview(
        "--tier", "5x8", "--priority", "P1", "--opened-at", "2026-11-27T17:30",
        "--timezone", "Asia/Shanghai", "--calendar", "CN",
    )  # fmt: skip
    assert result["due"]["fix"] == "2027-02-12T17:30:00+08:00"


@pytest.mark.django_db
def test_opened_at_with_offset_is_converted_to_the_zone():
    result = preview(
        "--tier", "7x24", "--priority", "P1", "--opened-at", "2026-11-27T09:30+00:00",
        "--timezone", "Asia/Shanghai",
    )  # fmt: skip
    assert result["clock_start"] == "2026-11-27T17:30:00+08:00"
    assert result["due"]["response"] == "2026-11-27T18:30:00+08:00"
    assert result["due"]["fix"] == "2026-12-12T17:30:00+08:00"


@pytest.mark.django_db
def test_7x24_hours_are_elapsed_across_daylight_saving():
    # Berlin springs forward at 02:00 on 2026-03-29: 1 h after 01:30 CET is 03:30 CEST.
    result = preview(
        "--tier", "7x24", "--priority", "P1", "--opened-at", "2026-03-29T01:30",
        "--timezone", "Europe/Berlin",
    )  # fmt: skip
    assert result["due"]["response"] == "2026-03-29T03:30:00+02:00"


@pytest.mark.django_db
def test_agreed_hours_with_a_lunch_break_replace_the_tier_hours():
    # 2 service hours from 11:00 with a 12:00-13:30 lunch break end at 14:30.
    result = preview(
        "--tier", "5x8", "--priority", "P1", "--opened-at", "2026-11-25T11:00",
        "--timezone", "Asia/Shanghai", "--hours", "mon-fri 09:00-12:00,mon-fri 13:30-18:00",
    )  # fmt: skip
    assert result["due"]["response"] == "2026-11-25T14:30:00+08:00"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--tier", "9x5", "Unknown tier"),
        ("--priority", "P9", "Unknown priority"),
        ("--timezone", "Mars/Olympus", "Unknown time zone"),
        ("--calendar", "XX", "Unknown calendar"),
        ("--opened-at", "yesterday", "ISO 8601"),
        ("--hours", "mon-fri 9-18", "hours"),
    ],
)
def test_bad_input_raises_a_one_line_error(flag, value, message):
    args = {
        "--tier": "5x8",
        "--priority": "P1",
        "--opened-at": "2026-11-27T17:30",
        "--timezone": "Asia/Shanghai",
        "--calendar": "CN",
    }
    args[flag] = value
    with pytest.raises(CommandError) as excinfo:
        call_command("sla_preview", *[x for pair in args.items() for x in pair])
    assert message.lower() in str(excinfo.value).lower()
    assert "\n" not in str(excinfo.value)


@pytest.mark.django_db
def test_bad_input_exits_non_zero_without_a_traceback(capsys):
    # run_from_argv is what `manage.py sla_preview ...` runs: it prints and exits.
    from sla.management.commands.sla_preview import Command

    argv = ["manage.py", "sla_preview", "--tier", "9x5", "--priority", "P1",
            "--opened-at", "2026-11-27T17:30", "--timezone", "Asia/Shanghai"]  # fmt: skip
    with pytest.raises(SystemExit) as excinfo:
        Command().run_from_argv(argv)
    captured = capsys.readouterr()
    assert excinfo.value.code != 0
    assert "Traceback" not in captured.err
    assert captured.err.strip().count("\n") == 0
    assert "Unknown tier" in captured.err
    assert captured.out == ""


@pytest.mark.django_db
def test_the_commands_english_ends_with_it():
    with translation.override("zh-hans"):
        with pytest.raises(CommandError, match="Unknown tier"):
            preview("--tier", "9x5", "--priority", "P1", "--opened-at", "2026-11-27T17:30",
                    "--timezone", "Asia/Shanghai")  # fmt: skip
        assert translation.get_language() == "zh-hans"
