"""Check the message catalogues: every entry translated, none fuzzy, the committed .mo files
compiled from the current .po files (polib: no GNU gettext needed), and, where GNU gettext is
installed, no translatable string in the code missing from the catalogues."""

import shutil
import tempfile
from io import StringIO
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands import makemessages

# What `make messages` extracts from: the project's own code and templates.
EXTRACT_IGNORE = [".venv/*", "var/*", "staticfiles/*", "tests/*", "bench/*", "locale/*"]


class _ExtractInto(makemessages.Command):
    """makemessages writing every catalogue into `target` instead of the project's locale/."""

    def __init__(self, target: str, **kwargs):
        super().__init__(**kwargs)
        self._target = target

    def build_potfiles(self):
        self.locale_paths = [self._target]
        self.default_locale_path = self._target
        return super().build_potfiles()

    def find_files(self, root):
        files = super().find_files(root)
        for translatable in files:
            translatable.locale_dir = self._target
        return files


def unextracted_strings() -> list[str] | None:
    """msgids that `make messages` would add to the Chinese catalogue; None without xgettext.
    Extracts into a temporary copy of the catalogue, never into locale/."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        return None
    current = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "zh_Hans" / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(current, target / "django.po")
        _ExtractInto(tmp, stdout=StringIO()).run_from_argv(
            [
                "manage.py",
                "makemessages",
                "--locale",
                "zh_Hans",
                "--no-obsolete",
                "--verbosity",
                "0",
            ]
            + [arg for pattern in EXTRACT_IGNORE for arg in ("--ignore", pattern)]
        )
        extracted = polib.pofile(str(target / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(current))}
    return sorted(
        e.msgid for e in extracted if not e.obsolete and (e.msgctxt, e.msgid) not in known
    )


def catalogue_problems() -> list[str]:
    problems = []
    po_files = sorted(
        Path(p) for base in settings.LOCALE_PATHS for p in Path(base).glob("*/LC_MESSAGES/*.po")
    )
    if not po_files:
        return [f"no catalogues under {', '.join(map(str, settings.LOCALE_PATHS))}"]
    for po_path in po_files:
        po = polib.pofile(str(po_path))
        is_zh = "zh" in po_path.parts[-3].lower()
        for entry in po:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{po_path}: fuzzy: {entry.msgid!r}")
            elif is_zh and not entry.translated():
                problems.append(f"{po_path}: untranslated: {entry.msgid!r}")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            problems.append(f"{mo_path}: missing (run make messages)")
            continue
        compiled = {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in polib.mofile(str(mo_path))
        }
        current = {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in po.translated_entries()
        }
        if compiled != current:
            problems.append(f"{mo_path}: out of date with its .po (run make messages)")
    return problems


class Command(BaseCommand):
    help = "Fail when a catalogue has an untranslated or fuzzy entry or a stale .mo file."

    def handle(self, *args, **options):
        problems = catalogue_problems()
        missing = unextracted_strings()
        if missing is None:
            self.stdout.write("GNU gettext not installed: not checking for unextracted strings.")
        else:
            problems += [f"not in the catalogues (run make messages): {m!r}" for m in missing]
        if problems:
            raise CommandError("\n".join(problems[:50]) + f"\n{len(problems)} problem(s).")
        self.stdout.write("Message catalogues complete and compiled.")
