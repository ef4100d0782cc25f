"""Every user-facing string exists in Chinese: the catalogues are complete and compiled, and
(where GNU gettext is installed) no translatable string of the code is missing from them."""

import shutil

import polib
import pytest
from django.utils import translation

from portal.management.commands import check_messages
from portal.management.commands.check_messages import catalogue_problems, unextracted_strings


def test_committed_catalogues_are_complete_and_compiled():
    assert catalogue_problems() == []


@pytest.mark.skipif(
    not shutil.which("xgettext"), reason="needs GNU gettext (apt-get install gettext)"
)
def test_every_translatable_string_of_the_code_is_in_the_catalogue():
    assert unextracted_strings() == []


def test_an_untranslated_entry_is_reported(tmp_path, settings):
    catalogue = tmp_path / "zh_Hans" / "LC_MESSAGES"
    catalogue.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Open a ticket", msgstr="提交工单"))
    po.append(polib.POEntry(msgid="Named support contacts", msgstr=""))
    po.save(str(catalogue / "django.po"))
    po.save_as_mofile(str(catalogue / "django.mo"))
    settings.LOCALE_PATHS = [str(tmp_path)]

    problems = check_messages.catalogue_problems()

    assert problems == [f"{catalogue / 'django.po'}: untranslated: 'Named support contacts'"]


def test_the_interface_speaks_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Log in") != "Log in"
        assert "工单" in translation.gettext("Tickets")
