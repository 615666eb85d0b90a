"""The English catalog must be complete and compiled: the UI is Vietnamese in the source, so an
untranslated or uncompiled message shows Vietnamese to an English reader."""

import ast
import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def read_po(path: Path) -> list[dict[str, str]]:
    """Entries of a .po file as {field: text}; the header (empty msgid) is left out."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    field = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        match = FIELD.match(line)
        if match:
            field = match.group(1)
            current[field] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
        elif not line.strip():
            if current.get("msgid"):
                entries.append(current)
            current, field = {}, None
    return entries


@pytest.fixture(scope="module")
def english():
    return read_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")


def test_every_message_has_an_english_translation_with_the_same_placeholders(english):
    assert len(english) > 300
    for entry in english:
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        assert translations and all(translations), f"chưa dịch: {entry['msgid']!r}"
        expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == expected, entry["msgid"]


def test_compiled_catalog_matches_the_source(english):
    with open(LOCALE / "en" / "LC_MESSAGES" / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in english:
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr[0]"]
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 5) == entry["msgstr[1]"]
        elif "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], "chạy `make messages` lại"
