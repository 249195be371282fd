"""The Russian catalog is complete: every text in the code and templates, as they are now, has
a Russian translation that is not fuzzy and keeps the source's placeholders."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES, TRANSLATIONS

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "_nl": (1, 2),
}
METHODS = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sdfr]|\{(\w*)\}")
TRANSLATED = [code for code in LANGUAGES if code != "en"]


def source_messages() -> dict[tuple[str, str | None], str | tuple]:
    """Every translatable text in the code and templates, by (msgid, context); a plural's msgid
    is its singular."""
    found = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT, METHODS, keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found[(msgid, context)] = message
    return found


def catalog(code: str):
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=code)


def placeholders(text: str) -> set[str]:
    return {"".join(match.groups("")) or match.group(0) for match in PLACEHOLDER.finditer(text)}


def test_the_source_has_texts_to_translate():
    assert len(source_messages()) > 100


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_source_text_has_a_finished_translation(code):
    translations = catalog(code)
    problems = []
    for (key, context), message in source_messages().items():
        entry = translations.get(key, context=context)
        if entry is None:
            problems.append(f"missing: {key!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        forms = translations.num_plurals if entry.pluralizable else 1
        if not all(strings) or len(strings) != forms:
            problems.append(f"untranslated or missing a plural form: {key!r}")
        sources = message if isinstance(message, tuple) else (message,)
        wanted = set().union(*(placeholders(source) for source in sources))
        for translated in strings:
            if translated and placeholders(translated) != wanted:
                problems.append(f"placeholders differ: {key!r} -> {translated!r}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
