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


GLOSSARY = ROOT / "docs" / "glossary.md"


def glossary() -> list[dict[str, str]]:
    """docs/glossary.md's table, one dict a row, by column title."""
    lines = [line for line in GLOSSARY.read_text().splitlines() if line.startswith("|")]
    titles = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    return [dict(zip(titles, row, strict=True)) for row in rows]


def has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def entries(code: str):
    """(English texts, translated texts) of each entry of the catalog."""
    for entry in catalog(code):
        if entry.id:
            ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            yield ids, strings


def test_the_glossary_names_its_terms():
    rows = glossary()
    assert len(rows) > 10
    assert all(row["English"] and row["Russian stems"] for row in rows)


@pytest.mark.parametrize("row", glossary(), ids=lambda row: row["English"])
def test_every_text_uses_the_glossarys_words(row):
    stems = [stem.strip().lower() for stem in row["Russian stems"].split(",")]
    problems = []
    for ids, strings in entries("ru"):
        if any(has_phrase(text, row["English"]) for text in ids):
            problems += [s for s in strings if not all(stem in s.lower() for stem in stems)]
        never_en, never_ru = row["Never in English"], row["Never in Russian"]
        problems += [text for text in ids if never_en and never_en.lower() in text.lower()]
        problems += [text for text in strings if never_ru and never_ru.lower() in text.lower()]
    assert not problems, f"{row['English']!r}: " + "\n".join(problems[:10])
