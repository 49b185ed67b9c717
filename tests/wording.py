"""The site's voice, checked: sentence case in headings and controls, British spelling, plain
words. Used on pages (HTML) and on mails (subject and plain-text body)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Words that keep their capitals in the middle of a sentence.
PROPER = {
    "I", "IoT", "IoTs", "Institute", "Institutes", "Technology", "Network", "England", "UK",
    "QR", "UKPRN", "Companies", "House", "Google", "Microsoft", "Authenticator", "Error:",
}  # fmt: skip
# US spellings and allauth's Title Case phrases the site must not use.
US_SPELLINGS = re.compile(
    r"\b(finaliz\w*|authoriz\w*|organiz\w*|recogniz\w*|color\w*|center\w*|favorite\w*|"
    r"behavior\w*|canceled|enroll|enrolls|catalog|e-mail|license)\b",
    re.IGNORECASE,
)
TITLE_CASE_PHRASES = re.compile(
    r"Remember Me|Sign In|Sign Up|Sign Out|Log In|Forgot Password|Email Address|Change Password|"
    r"Two-Factor Authentication|Recovery Codes|Authenticator App|Please Confirm"
)
# Wording that talks down to people or says nothing.
PLAIN_WORDS = re.compile(r"\b(please|kindly|successfully|invalid|utili[sz]e)\b", re.IGNORECASE)
HEADING_TAGS = {"title", "h1", "h2", "h3", "h4", "legend", "label", "button", "th", "summary"}


class _Text(HTMLParser):
    """Visible text, and the text of each heading, label and button on its own."""

    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.open: list[tuple[str, list[str]]] = []
        self.headings: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "textarea"):
            self.hidden += 1
        button_link = tag == "a" and "button" in (dict(attrs).get("class") or "")
        if tag in HEADING_TAGS or button_link:
            self.open.append((tag, []))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea"):
            self.hidden -= 1
        if self.open and self.open[-1][0] == tag:
            words = " ".join("".join(self.open.pop()[1]).split())
            if words:
                self.headings.append(words)

    def handle_data(self, data):
        if self.hidden:
            return
        self.text.append(data)
        for _, collector in self.open:
            collector.append(data)


def title_case_words(heading: str) -> list[str]:
    """Capitalised words after the first that are not names: 'Sign In' -> ['In']."""
    words = re.findall(r"[A-Za-z][\w'’-]*:?", heading)
    # After a colon or full stop a new sentence may start.
    parts = re.split(r"[:.?!]\s", heading)
    firsts = {
        re.findall(r"[A-Za-z][\w'’-]*", part)[0] for part in parts if re.search("[A-Za-z]", part)
    }
    return [
        word
        for word in words[1:]
        if word[0].isupper() and word not in PROPER and word not in firsts
        and not word.isupper() and "@" not in word
    ]  # fmt: skip


def wording_problems(
    text: str, *, html: bool = True, headings: list[str] | None = None
) -> list[str]:
    """What is wrong with a page's or mail's wording, as readable strings (empty when fine)."""
    if html:
        parser = _Text()
        parser.feed(text)
        visible = " ".join(" ".join(parser.text).split())
        headings = parser.headings
    else:
        visible = " ".join(text.split())
        headings = headings or []
    problems = [f"Title Case: {h!r}" for h in headings if title_case_words(h)]
    problems += [f"US spelling: {m!r}" for m in US_SPELLINGS.findall(visible)]
    problems += [f"Title Case phrase: {m!r}" for m in TITLE_CASE_PHRASES.findall(visible)]
    problems += [f"not plain: {m!r}" for m in PLAIN_WORDS.findall(visible)]
    return problems
