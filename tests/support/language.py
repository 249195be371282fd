"""Finding English left on a page meant to be in another language.

The visible text of a page is its text nodes (not scripts or styles) and the attributes a
reader meets: aria-label, title, placeholder, alt and the value of buttons. Texts that come
from the provider (service names and descriptions) are removed first, then every Latin word of
two letters or more that is not on the allow-list counts as English.
"""

import re
from html.parser import HTMLParser

ALLOWED = {
    "Click",
    "to",
    "Mice",  # the product's name
    "UTC",
    "ID",
    "HTTP",
    "API",
    "JSON",
    "CSV",
    "SSE",
    "RQ",
    "Redis",
    "Postgres",
    "PostgreSQL",
    "English",  # the switcher names each language in that language
}
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
HIDDEN_TAGS = {"script", "style", "template"}
EMAIL = re.compile(r"\S+@\S+")
URL = re.compile(r"\b[a-z]+://\S*")  # an address is no English, whatever its words
HEX_ID = re.compile(r"#?\b[0-9a-f]{6,}(?:-[0-9a-f]{4,})*\b")
WORD = re.compile(r"\b[A-Za-z][A-Za-z'’-]+\b")


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_TAGS:
            self.hidden_depth += 1
        values = dict(attrs)
        self.parts.extend(values[name] or "" for name in READ_ATTRIBUTES if name in values)
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(part.strip() for part in parser.parts if part.strip())


def english_words(html: str, provider_texts=(), allowed=()) -> list[str]:
    """The English words a reader would see on `html`, apart from the provider's texts."""
    text = visible_text(html)
    for provided in sorted(provider_texts, key=len, reverse=True):
        if provided:
            text = text.replace(provided, " ")
    text = HEX_ID.sub(" ", EMAIL.sub(" ", URL.sub(" ", text)))
    allow = ALLOWED | set(allowed)
    return [word for word in WORD.findall(text) if word not in allow]
