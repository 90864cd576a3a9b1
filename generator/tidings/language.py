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
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from .config import SiteConfig
from .language_settings import LanguageSettings
from .model import Incident
from .problems import Problems
from .status import owes_updates
from .wording import format_duration

# Not prose: replaced by spaces (newlines kept) so that offsets still give the file's lines.
_NOT_PROSE = re.compile(
    r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$"  # fenced code blocks
    r"|(`+)(?:(?!\2).)+?\2"  # code spans
    r"|<!--.*?-->"  # comments (the scaffold's hints)
    r"|\]\([^)\n]*\)"  # link targets
    r"|<[a-z][^>\n]*>|</[a-z]+>"  # autolinks and HTML tags
    r"|\bhttps?://\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # bare URLs and email addresses
    re.DOTALL | re.MULTILINE | re.IGNORECASE)
# A new block: a blank line, a list item, a heading or a table row; sentences never span one.
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|#|\|))")
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+(?=\s|$)|$)")
_WORD = re.compile(r"[^\W_][\w'’-]*")
# Markdown's own marks (emphasis, headings, list bullets, link brackets, table pipes): what
# is left is the text a reader reads, close enough for a grade, without rendering it.
_MARKUP = re.compile(r"[*_#|>\[\]]+|^[ \t]*(?:[-+]|\d+[.)])[ \t]", re.MULTILINE)
# How textstat counts for the grade: words without punctuation, letters, sentences.
_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s")
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
        if since is None or _last_change(incident) >= since:
            check_incident(config, incident, now, problems)


def _last_change(incident: Incident) -> datetime:
    times = [u.at for u in incident.updates]
    times += [t for t in (incident.scheduled_until,
                          incident.postmortem.published if incident.postmortem else None) if t]
    return max(times, default=datetime.max.replace(tzinfo=UTC))


def check_incident(config: SiteConfig, incident: Incident, now: datetime,
                   problems: Problems) -> None:
    """Warn about the plain-words problems of one incident (``tidings new/update`` too)."""
    settings = config.language
    if not settings.enabled or getattr(incident, "visibility", "public") == "internal":
        return
    for text in customer_texts(incident):
        prose = visible(text.words)
        if settings.on("jargon"):
            _jargon(settings, text, prose, problems)
        if settings.on("internal_details"):
            _internal_details(settings, text, prose, problems)
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
    return _NOT_PROSE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), markdown)


@cache
def _jargon_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _jargon(settings: LanguageSettings, text: Text, prose: str, problems: Problems) -> None:
    if not settings.jargon:
        return
    plain = {term.lower(): alternative for term, alternative in settings.jargon.items()}
    for match in _jargon_pattern(tuple(settings.jargon)).finditer(prose):
        problems.warn(text.path, text.line_at(match.start()),
                      f'jargon: customers may not know "{match.group()}"; write '
                      f'"{plain[match.group().lower()]}" or similar plain words instead (or '
                      "put it in `code` if it must stay)")


def _internal_details(settings: LanguageSettings, text: Text, prose: str,
                      problems: Problems) -> None:
    for name, pattern in settings.internal_details.items():
        for match in pattern.finditer(prose):
            problems.warn(text.path, text.line_at(match.start()),
                          f'internal detail: "{match.group()}" looks like {_article(name)} '
                          f"{name}, which tells customers nothing and attackers a lot; say "
                          "what customers notice instead (e.g. \"one of our database servers\")")


def _article(name: str) -> str:
    return "an" if name[:1].lower() in "aeiou" else "a"


def _readability(settings: LanguageSettings, text: Text, prose: str,
                 problems: Problems) -> None:
    if settings.max_sentence_words is not None:
        for start, sentence in sentences(prose):
            count = len(_WORD.findall(sentence))
            if count > settings.max_sentence_words:
                problems.warn(text.path, text.line_at(start),
                              f"hard to read: a sentence of {count} words (more than "
                              f"{settings.max_sentence_words}); split it into shorter ones")
    if settings.max_grade is None or text.kind != "update":
        return
    plain = _MARKUP.sub(" ", prose)
    if len(_WORD.findall(plain)) < settings.min_words:
        return
    grade = reading_grade(plain)
    if grade > settings.max_grade:
        problems.warn(text.path, text.line,
                      f"hard to read: the update's reading grade is {grade:.1f} (Coleman-Liau), "
                      f"above {settings.max_grade:g}; use shorter words and sentences")


def reading_grade(plain: str) -> float:
    """The Coleman-Liau grade: letters and sentences per word, counted and rounded as
    ``reading_grade_by_textstat`` does (tests/test_language.py keeps them equal). It needs no
    pronunciation dictionary, which syllable-based grades do; textstat loads one on import
    (a second, half of what ``tidings check`` may take at 10,000 incidents)."""
    words = _word_count(plain)
    letters = len(_PUNCTUATION.sub("", _SPACE.sub("", plain)))
    found = _SENTENCE_START.findall(plain)
    sentences = max(1, len(found) - sum(1 for s in found if _word_count(s) <= 2))
    letters_per_100 = _rounded(_rounded(letters / words) * 100) if words else 0.0
    sentences_per_100 = _rounded(_rounded(sentences / words) * 100) if words else 0.0
    return _rounded(0.058 * letters_per_100 - 0.296 * sentences_per_100 - 15.8)


def _word_count(text: str) -> int:
    return len(_PUNCTUATION.sub("", text).split())


def _rounded(number: float) -> float:
    """Half away from zero to two decimals, as textstat rounds."""
    return math.floor(number * 100 + math.copysign(0.5, number)) / 100


def reading_grade_by_textstat(plain: str) -> float:
    """``reading_grade`` by textstat itself."""
    import textstat  # type: ignore[import-untyped]

    return float(textstat.coleman_liau_index(plain))


def sentences(prose: str) -> Iterator[tuple[int, str]]:
    """Each sentence with its offset; a paragraph, list item or heading ends one."""
    start = 0
    for block_break in [*_BLOCK_BREAK.finditer(prose), None]:
        end = block_break.start() if block_break else len(prose)
        for match in _SENTENCE.finditer(prose, start, end):
            if match.group().strip():
                lead = len(match.group()) - len(match.group().lstrip())
                yield match.start() + lead, match.group().strip()
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
