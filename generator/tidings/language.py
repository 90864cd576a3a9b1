"""Plain-words checks on what customers read: titles, summaries, updates and postmortems.

Each finding is a warning at the ``path:line`` of the offending words, with a suggestion.
Code spans, code blocks, link targets, URLs and HTML comments are not prose and are never
looked at; neither are internal notes, which live outside the customer-facing text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from .config import SiteConfig
from .language_settings import LanguageSettings, detail_screen
from .model import Incident
from .problems import Problems
from .status import owes_updates
from .wording import format_duration

# Not prose: replaced by spaces (newlines kept) so that offsets still give the file's lines.
# Each part with the marks it cannot match without: a text is scanned only for the parts it
# may hold (most hold none), and leaving out a part that matches nowhere changes nothing.
_NOT_PROSE_PARTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("```", "~~~"), r"^[ \t]*(?P<fence>```|~~~).*?^[ \t]*(?P=fence)[^\n]*$"),  # code blocks
    (("`",), r"(?P<ticks>`+)(?:(?!(?P=ticks)).)+?(?P=ticks)"),  # code spans
    (("<!--",), r"<!--.*?-->"),  # comments (the scaffold's hints)
    (("](",), r"\]\([^)\n]*\)"),  # link targets
    (("<",), r"<[a-z][^>\n]*>|</[a-z]+>"),  # autolinks and HTML tags
    (("://",), r"\bhttps?://\S+"),  # bare URLs
    (("@",), r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # email addresses
)
_ANY_MARK = re.compile("|".join(re.escape(mark) for marks, _ in _NOT_PROSE_PARTS for mark in marks))
# A new block: a blank line, a list item, a heading or a table row; sentences never span one.
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|#|\|))")
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+(?=\s|$)|$)")
_WORD = re.compile(r"[^\W_][\w'’-]*")
# Markdown's own marks (emphasis, headings, list bullets, link brackets, table pipes): what
# is left is the text a reader reads, close enough for a grade, without rendering it.
# Two patterns, list items first: they share no character, and apart each scans faster.
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-+]|\d+[.)])[ \t]", re.MULTILINE)
_MARKS = re.compile(r"[*_#|>\[\]]+")
# How textstat counts for the grade: words without punctuation, letters, sentences.
_PUNCTUATION = re.compile(r"[^\w\s]")
_SENTENCE_START = re.compile(r"\b[^.!?]+[.!?]*")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_PART_HINTS = {
    "apology": 'an apology ("## We are sorry")',
    "what_happened": 'what happened ("## What happened and its impact")',
    "fix": 'the fix ("## How we fixed it")',
    "prevention": 'the prevention ("## What will prevent a repeat")',
}


@dataclass(frozen=True)
class Text:
    """Customer-facing words and where they start in their file."""

    path: Path
    line: int
    words: str  # Markdown, or plain text for a title
    kind: str  # "title", "summary", "update" or "postmortem"

    def line_at(self, offset: int) -> int:
        return self.line + self.words.count("\n", 0, offset)


def check_language(config: SiteConfig, incidents: list[Incident], now: datetime,
                   problems: Problems) -> None:
    """Warn about every plain-words problem in the incidents of the last ``recent_days``.

    Older text was checked when it was written and is not edited any more: checking it on
    every pull request would cost seconds on a long history and bury new warnings under
    old ones (an imported history especially).
    """
    days = config.language.recent_days
    since = None if days is None else now - timedelta(days=days)
    for incident in incidents:
        if since is None or _changed_since(incident, since):
            check_incident(config, incident, now, problems)


def _changed_since(incident: Incident, since: datetime) -> bool:
    """Whether its latest update, the end of its maintenance or its postmortem is dated
    ``since`` or later; an incident without any of these dates counts as changed."""
    latest = incident.latest  # the updates are oldest first
    report = incident.postmortem
    dates = [t for t in (latest.at if latest else None, incident.scheduled_until,
                         report.published if report else None) if t is not None]
    return not dates or any(t >= since for t in dates)


def check_incident(config: SiteConfig, incident: Incident, now: datetime,
                   problems: Problems) -> None:
    """Warn about the plain-words problems of one incident (``tidings new/update`` too)."""
    settings = config.language
    if not settings.enabled or getattr(incident, "visibility", "public") == "internal":
        return
    jargon = _jargon_terms(tuple(settings.jargon.items())) if settings.on("jargon") else None
    details = [(name, pattern, detail_screen(pattern))
               for name, pattern in settings.internal_details.items()
               ] if settings.on("internal_details") else []
    for text in customer_texts(incident):
        prose = visible(text.words)
        if jargon is not None:
            _jargon(jargon, text, prose, problems)
        if details:
            _internal_details(details, text, prose, problems)
        if settings.on("readability") and text.kind != "title":
            _readability(settings, text, prose, problems)
    if settings.on("promise"):
        _promise(config, incident, now, problems)
    if settings.on("postmortem") and incident.postmortem is not None:
        _postmortem_shape(settings, incident, problems)


def customer_texts(incident: Incident) -> Iterator[Text]:
    yield Text(incident.source, incident.lines.get("title", 1), incident.title, "title")
    if incident.summary.strip():
        yield Text(incident.source, incident.summary_line, incident.summary, "summary")
    for update in incident.updates:
        yield Text(update.source, update.body_line or update.line, update.message, "update")
    if (report := incident.postmortem) is not None:
        yield Text(report.source, report.body_line or 1, report.body, "postmortem")


def visible(markdown: str) -> str:
    """The prose of ``markdown``: everything else blanked, lines kept."""
    if not _ANY_MARK.search(markdown):
        return markdown
    parts = tuple(part for marks, part in _NOT_PROSE_PARTS
                  if any(mark in markdown for mark in marks))
    return _not_prose(parts).sub(_blank, markdown)


@cache
def _not_prose(parts: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(parts), re.DOTALL | re.MULTILINE | re.IGNORECASE)


def _blank(match: re.Match[str]) -> str:
    return "\n".join(" " * len(line) for line in match.group().split("\n"))


@dataclass(frozen=True)
class _Jargon:
    """The configured terms as one pattern, and a quick test that most texts pass without it."""

    terms: tuple[tuple[str, str], ...]  # (term, plain alternative)
    pattern: re.Pattern[str]
    plain: dict[str, str]  # lower-cased term -> its plain alternative
    words: frozenset[str] | None  # lower-cased terms, when each is ASCII word characters

    def absent(self, prose: str) -> bool:
        """True only when ``pattern`` cannot match: for ASCII prose and terms that are words
        (of \\w), ignoring case is lower-casing, and a term matches exactly a word of the text."""
        return (self.words is not None and prose.isascii()
                and self.words.isdisjoint(prose.translate(_ASCII_LOWER_WORDS).split()))

    def alternative(self, found: str) -> str:
        if (plain := self.plain.get(found.lower())) is not None:
            return plain
        # "ſre" matches "SRE" ignoring case, yet lower-cases to no term
        return next(alternative for term, alternative in self.terms
                    if re.fullmatch(re.escape(term), found, re.IGNORECASE))


_WORD_CHARS = re.compile(r"\w+")
# ASCII lower-cased, and a space for each character \w does not match: the words are split()
_ASCII_LOWER_WORDS = str.maketrans({c: c.lower() if c.isalnum() or c == "_" else " "
                                    for c in map(chr, range(128))})


@cache
def _jargon_terms(terms: tuple[tuple[str, str], ...]) -> _Jargon:
    alternatives = "|".join(re.escape(t) for t, _ in sorted(terms, key=lambda t: -len(t[0])))
    plain = {term.lower(): alternative for term, alternative in terms}
    whole_words = all(term.isascii() and _WORD_CHARS.fullmatch(term) for term in plain)
    return _Jargon(terms, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE),
                   plain, frozenset(plain) if whole_words else None)


def _jargon(jargon: _Jargon, text: Text, prose: str, problems: Problems) -> None:
    if not jargon.terms or jargon.absent(prose):
        return
    for match in jargon.pattern.finditer(prose):
        problems.warn(text.path, text.line_at(match.start()),
                      f'jargon: customers may not know "{match.group()}"; write '
                      f'"{jargon.alternative(match.group())}" or similar plain words instead '
                      "(or put it in `code` if it must stay)")


def _internal_details(details: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]],
                      text: Text, prose: str, problems: Problems) -> None:
    for name, pattern, screen in details:
        if screen is not None and not screen.search(prose):
            continue
        for match in pattern.finditer(prose):
            problems.warn(text.path, text.line_at(match.start()),
                          f'internal detail: "{match.group()}" looks like {_article(name)} '
                          f"{name}, which tells customers nothing and attackers a lot; say "
                          "what customers notice instead (e.g. \"one of our database servers\")")


def _article(name: str) -> str:
    return "an" if name[:1].lower() in "aeiou" else "a"


def _readability(settings: LanguageSettings, text: Text, prose: str,
                 problems: Problems) -> None:
    if (most := settings.max_sentence_words) is not None:
        # n words take at least 2n - 1 characters: a shorter sentence needs no count
        for start, sentence in sentences(prose, longer_than=2 * most):
            if (count := len(_WORD.findall(sentence))) > most:
                problems.warn(text.path, text.line_at(start),
                              f"hard to read: a sentence of {count} words (more than "
                              f"{settings.max_sentence_words}); split it into shorter ones")
    if settings.max_grade is None or text.kind != "update":
        return
    plain = _MARKS.sub(" ", _LIST_ITEM.sub(" ", prose))
    if not _at_least_words(settings.min_words).match(plain):
        return
    grade = reading_grade(plain)
    if grade > settings.max_grade:
        problems.warn(text.path, text.line,
                      f"hard to read: the update's reading grade is {grade:.1f} (Coleman-Liau), "
                      f"above {settings.max_grade:g}; use shorter words and sentences")


@cache
def _at_least_words(count: int) -> re.Pattern[str]:
    """Matches a text of ``count`` words or more (as _WORD finds them) without listing them:
    possessive, so that no word is ever split in two to make up the count."""
    return re.compile(rf"(?:[\W_]*+[^\W_][\w'’-]*+){{{count}}}")


def reading_grade(plain: str) -> float:
    """The Coleman-Liau grade: letters and sentences per word, counted and rounded as
    ``reading_grade_by_textstat`` does (tests/test_language.py keeps them equal). It needs no
    pronunciation dictionary, which syllable-based grades do; textstat loads one on import
    (a second, half of what ``tidings check`` may take at 10,000 incidents)."""
    # textstat removes punctuation, then counts words and their letters (split() splits at
    # what \s matches, so the words are what textstat's spaces separate)
    tokens = _PUNCTUATION.sub("", plain).split()
    words, letters = len(tokens), sum(map(len, tokens))
    found = _SENTENCE_START.findall(plain)
    sentences = max(1, len(found) - sum(1 for s in found if _at_most_two_words(s)))
    letters_per_100 = _rounded(_rounded(letters / words) * 100) if words else 0.0
    sentences_per_100 = _rounded(_rounded(sentences / words) * 100) if words else 0.0
    return _rounded(0.058 * letters_per_100 - 0.296 * sentences_per_100 - 15.8)


def _at_most_two_words(sentence: str) -> bool:
    """Whether ``sentence`` has at most two words as textstat counts them (punctuation
    removed, then split at spaces), sooner: three tokens that begin or end with a letter or
    digit are three words."""
    tokens = sentence.split(None, 3)[:3]
    if len(tokens) == 3 and all(t[0].isalnum() or t[-1].isalnum() for t in tokens):
        return False
    return len(_PUNCTUATION.sub("", sentence).split()) <= 2


def _rounded(number: float) -> float:
    """Half away from zero to two decimals, as textstat rounds."""
    return math.floor(number * 100 + math.copysign(0.5, number)) / 100


def reading_grade_by_textstat(plain: str) -> float:
    """``reading_grade`` by textstat itself."""
    import textstat  # type: ignore[import-untyped]

    return float(textstat.coleman_liau_index(plain))


def sentences(prose: str, longer_than: int = 0) -> Iterator[tuple[int, str]]:
    """Each sentence (of more than ``longer_than`` characters) with its offset; a paragraph,
    list item or heading ends one."""
    start = 0
    for block_break in [*_BLOCK_BREAK.finditer(prose), None]:
        end = block_break.start() if block_break else len(prose)
        for match in _SENTENCE.finditer(prose, start, end):
            if match.end() - match.start() <= longer_than:
                continue  # its spaces stripped, it would be shorter still
            if len(sentence := (found := match.group()).strip()) > longer_than:
                yield match.start() + len(found) - len(found.lstrip()), sentence
        start = block_break.end() if block_break else end


def _promise(config: SiteConfig, incident: Incident, now: datetime, problems: Problems) -> None:
    """The latest update of an open incident says when the next one comes."""
    latest = incident.latest_posted(now)
    if not owes_updates(incident, now) or latest is None or latest.next_update:
        return
    prose = visible(latest.message)
    if any(p.search(prose) for p in config.language.promise_patterns):
        return
    problems.warn(latest.source, latest.body_line or latest.line,
                  "missing promise: this update of an open incident does not say when the next "
                  "update comes; add `next_update: 30m` to its front matter or write e.g. "
                  f'"We will post the next update within 30 minutes" (without one, customers '
                  f"are owed an update within {format_duration(config.update_cadence)})")


def _postmortem_shape(settings: LanguageSettings, incident: Incident,
                      problems: Problems) -> None:
    report = incident.postmortem
    assert report is not None
    line = report.body_line or 1
    prose = visible(report.body)
    headings = list(_HEADING.finditer(prose))
    if not _HEADING.sub("", prose).strip():
        problems.warn(report.source, line, "postmortem shape: it still holds only the "
                      "scaffold's headings and hints; write each section for customers")
        return
    for heading, following in zip(headings, [*headings[1:], None], strict=False):
        body = prose[heading.end():following.start() if following else len(prose)]
        raw = report.body[heading.end():following.start() if following else len(prose)]
        if not body.strip() and "<!--" in raw:
            problems.warn(report.source, line + prose.count("\n", 0, heading.start()),
                          f'postmortem shape: the section "{heading.group(1)}" still holds only '
                          "the scaffold's hint; write it (the hint is not published)")
    missing = [part for part, patterns in settings.postmortem_parts.items()
               if patterns and not any(p.search(prose) for p in patterns)]
    if missing:
        problems.warn(report.source, line, "postmortem shape: it lacks "
                      + ", ".join(_PART_HINTS.get(p, p.replace("_", " ")) for p in missing)
                      + "; a good postmortem apologises, explains what happened, how it was "
                      "fixed and what prevents a repeat")
