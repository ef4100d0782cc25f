"""Check the message catalogues: every entry translated, none fuzzy, and the committed .mo
files compiled from the current .po files. Uses polib, so no GNU gettext is needed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


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
        if problems:
            raise CommandError("\n".join(problems[:50]) + f"\n{len(problems)} problem(s).")
        self.stdout.write("Message catalogues complete and compiled.")
