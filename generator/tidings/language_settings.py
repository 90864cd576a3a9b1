"""The plain-words checks' settings: their defaults, and ``language_checks:`` in tidings.yml.

The checks themselves live in ``language``; this module only says what they look for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .frontmatter import LineDict, LineList
from .problems import Problems, did_you_mean, one_of

# Terms customers do not know, each with a plain alternative. Matched as whole words, ignoring
# case; a term's plural is its own entry where it is common.
DEFAULT_JARGON: dict[str, str] = {
    "5xx": "server errors",
    "5xxs": "server errors",
    "4xx": "request errors",
    "OOM": "ran out of memory",
    "OOMKilled": "stopped because it ran out of memory",
    "k8s": "our server platform",
    "pod": "server",
    "pods": "servers",
    "p50": "typical response time",
    "p95": "response time of the slowest requests",
    "p99": "response time of the slowest requests",
    "RCA": "postmortem (our report on the cause)",
    "TTL": "how long a saved answer is kept",
    "SIGTERM": "a stop signal",
    "SIGKILL": "a forced stop",
    "segfault": "crash",
    "failover": "switch to a backup system",
    "hotfix": "quick fix",
    "MTTR": "time to recover",
    "SLO": "our reliability target",
    "SRE": "our operations team",
    "BGP": "internet routing",
    "cronjob": "scheduled task",
    "db": "database",
}
# Details that tell customers nothing and attackers a lot: name -> regular expression.
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
DEFAULT_INTERNAL_DETAILS: dict[str, str] = {
    "IP address": rf"\b(?:{_OCTET}\.){{3}}{_OCTET}\b",
    "IPv6 address": r"(?i)\b(?:[0-9a-f]{1,4}:){4,7}[0-9a-f]{1,4}\b",
    "internal host name": r"(?i)\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:internal|local|lan|corp|intranet"
                          r"|intra|localdomain|svc)\b",
    "server name": r"\b[a-z]+(?:-[a-z]+)*-\d{2,3}[a-z]?\b",
    "ticket id": r"\b(?!(?:COVID|SHA|AES|ISO|RFC|UTF|TLS|SSL|HTTP|IPV|CVE|SOC|PCI|GPT|ES|RS|HS)-)"
                 r"[A-Z][A-Z0-9]{1,9}-\d+\b",
    "file path": r"(?<![\w/.:~-])/(?:etc|var|opt|usr|home|srv|tmp|root|mnt|proc|sys|data)/[\w./-]*"
                 r"|\b[A-Z]:\\[\w\\.-]+",
}
# For each default detail, a quick search that finds something in every text the detail's
# pattern matches (an IP address holds ".digit", a server name "-digit digit"): most texts
# have none, and skip the pattern's slower scan.
_DETAIL_SCREENS: dict[str, str] = {
    "IP address": r"\.\d",
    "IPv6 address": r"(?i):[0-9a-f]{1,4}:",
    "internal host name": r"(?i)\.(?:internal|local|lan|corp|intra|svc)",
    "server name": r"-\d\d",
    "ticket id": r"-\d",
    "file path": r"/(?:etc|var|opt|usr|home|srv|tmp|root|mnt|proc|sys|data)/|:\\",
}
# Words that promise the next update: "next update", "an update within 30 minutes", ...
DEFAULT_PROMISE_PATTERNS: tuple[str, ...] = (
    r"\bnext update\b",
    r"\b(?:update|updates|report back)\b[^.\n]{0,80}?\b(?:within|in (?:\d|an?\b|one|two|three|"
    r"half)|by|at \d|before|every|when|once|after)",
)
# The parts of a good postmortem: each is present when a heading or a sentence matches.
DEFAULT_POSTMORTEM_PARTS: dict[str, tuple[str, ...]] = {
    "apology": (r"\bsorry\b", r"\bapologi[sz]e", r"\bapolog(?:y|ies)\b", r"\bregret\b"),
    "what_happened": (r"\bwhat happened\b", r"\bcause[sd]?\b", r"\bimpact\b", r"\bsummary\b"),
    "fix": (r"\bfix(?:ed|es)?\b", r"\bresol(?:ved|ution)\b", r"\brestor(?:ed|e)\b",
            r"\bmitigat\w*", r"\bremediat\w*", r"\brecover(?:ed|y)\b", r"\brestart(?:ed)?\b",
            r"\brolled back\b"),
    "prevention": (r"\bprevent\w*", r"\brepeat\b", r"\bnever again\b", r"\bgoing forward\b",
                   r"\bfollow[- ]?ups?\b", r"\baction items?\b", r"\bnext steps\b",
                   r"\bimprovements?\b", r"\bin the future\b"),
}
MAX_GRADE = 17.0  # Coleman-Liau grade; it overrates texts full of long product names
MIN_WORDS_FOR_GRADE = 30  # a grade of a shorter text says more about its nouns than its style
MAX_SENTENCE_WORDS = 40
RECENT_DAYS = 90  # `tidings check` looks at incidents changed this recently



@cache
def _screens() -> dict[re.Pattern[str], re.Pattern[str]]:
    return {re.compile(DEFAULT_INTERNAL_DETAILS[name]): re.compile(screen)
            for name, screen in _DETAIL_SCREENS.items()}


def detail_screen(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The quick search for a default detail's pattern (whatever name tidings.yml gives it)."""
    return _screens().get(pattern)


CHECKS = ("jargon", "internal_details", "readability", "promise", "postmortem")
_JARGON_KEYS = {"add", "remove"}
_READABILITY_KEYS = {"max_grade", "min_words", "max_sentence_words"}
_PROMISE_KEYS = {"patterns"}
_TOP_KEYS = {"recent_days", *CHECKS}


@dataclass
class LanguageSettings:
    """What the plain-words checks look for; a check left out of ``enabled`` does not run."""

    enabled: set[str] = field(default_factory=lambda: set(CHECKS))
    jargon: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_JARGON))
    internal_details: dict[str, re.Pattern[str]] = field(
        default_factory=lambda: {n: re.compile(p) for n, p in DEFAULT_INTERNAL_DETAILS.items()})
    max_grade: float | None = MAX_GRADE
    min_words: int = MIN_WORDS_FOR_GRADE
    max_sentence_words: int | None = MAX_SENTENCE_WORDS
    recent_days: int | None = RECENT_DAYS  # None: the whole history
    promise_patterns: list[re.Pattern[str]] = field(default_factory=lambda: [
        re.compile(p, re.IGNORECASE) for p in DEFAULT_PROMISE_PATTERNS])
    postmortem_parts: dict[str, list[re.Pattern[str]]] = field(default_factory=lambda: {
        part: [re.compile(p, re.IGNORECASE) for p in patterns]
        for part, patterns in DEFAULT_POSTMORTEM_PARTS.items()})

    def on(self, check: str) -> bool:
        return check in self.enabled


def read_language_checks(path: Path, problems: Problems, data: Any, line: int
                         ) -> LanguageSettings:
    """``language_checks:`` from tidings.yml (``line`` is its key's); problems are errors."""
    settings = LanguageSettings()
    if data is False:
        settings.enabled = set()
        return settings
    if data is None or data is True:
        return settings
    reader = _Reader(path, problems, settings)
    if not isinstance(data, LineDict):
        reader.add(line, "language_checks must be a mapping of checks "
                   f"({one_of(CHECKS)}), or false to switch them all off")
        return settings
    for key, value in data.items():
        reader.check(data, key, value)
    return settings


@dataclass
class _Reader:
    path: Path
    problems: Problems
    settings: LanguageSettings

    def add(self, line: int, message: str) -> None:
        self.problems.add(self.path, line, message)

    def check(self, data: LineDict, key: Any, value: Any) -> None:
        line = data.lines[key]
        if key == "recent_days":
            if value is False:
                self.settings.recent_days = None
            elif isinstance(value, int) and not isinstance(value, bool) and value > 0:
                self.settings.recent_days = value
            else:
                self.add(line, "language_checks: recent_days must be a whole number of days, "
                         "or false to check the whole history")
            return
        if key not in CHECKS:
            self.add(line, f'unknown key "{key}" in language_checks{did_you_mean(key, _TOP_KEYS)};'
                     f" use recent_days or a check: {one_of(CHECKS)}")
            return
        if value is False:
            self.settings.enabled.discard(key)
            return
        if value is None or value is True:
            return
        if not isinstance(value, LineDict):
            self.add(line, f"language_checks: {key} must be a mapping of its settings, or false "
                     "to switch it off")
            return
        getattr(self, key)(value)

    def unknown(self, data: LineDict, allowed: set[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.add(data.lines[key], f'unknown key "{key}" in language_checks: {what}'
                         f"{did_you_mean(str(key), allowed)}; allowed keys: "
                         f"{one_of(sorted(allowed))}")

    def names(self, data: LineDict, key: str, known: dict[str, Any], what: str) -> list[str]:
        """The ``remove:`` list: names that must be in ``known``."""
        items = data.get(key)
        if not isinstance(items, LineList):
            self.add(data.lines[key], f"{what}: {key} must be a list, e.g. [{next(iter(known))}]")
            return []
        found = []
        lowered = {name.lower(): name for name in known}
        for item, line in zip(items, items.lines, strict=True):
            name = lowered.get(str(item).lower())
            if name is None:
                self.add(line, f'{what}: "{item}" is not in the list'
                         f"{did_you_mean(str(item), known)}; nothing to remove")
            else:
                found.append(name)
        return found

    def mapping(self, data: LineDict, key: str, example: str, what: str) -> LineDict | None:
        value = data.get(key)
        if not isinstance(value, LineDict):
            self.add(data.lines[key], f"{what}: {key} must be a mapping, e.g. {example}")
            return None
        return value

    def pattern(self, text: Any, line: int, what: str, flags: int = 0) -> re.Pattern[str] | None:
        try:
            return re.compile(str(text), flags)
        except re.error as exc:
            self.add(line, f'{what}: "{text}" is not a valid regular expression ({exc}); '
                     "fix it or quote it in single quotes")
            return None

    def jargon(self, data: LineDict) -> None:
        self.unknown(data, _JARGON_KEYS, "jargon")
        terms = self.settings.jargon
        if "remove" in data:
            for name in self.names(data, "remove", terms, "jargon"):
                del terms[name]
        if "add" in data and (added := self.mapping(
                data, "add", "{LB: load balancer}", "jargon")) is not None:
            for term, plain in added.items():
                if not isinstance(plain, str) or not plain.strip():
                    self.add(added.lines[term], f'jargon: "{term}" needs a plain alternative, '
                             f'e.g. "{term}: <plain words>"')
                else:
                    terms[str(term)] = plain.strip()

    def internal_details(self, data: LineDict) -> None:
        self.unknown(data, _JARGON_KEYS, "internal_details")
        patterns = self.settings.internal_details
        if "remove" in data:
            for name in self.names(data, "remove", patterns, "internal_details"):
                del patterns[name]
        if "add" in data and (added := self.mapping(
                data, "add", "{ticket: 'OPS-\\d+'}", "internal_details")) is not None:
            for name, text in added.items():
                if (found := self.pattern(text, added.lines[name], "internal_details")):
                    patterns[str(name)] = found

    def readability(self, data: LineDict) -> None:
        self.unknown(data, _READABILITY_KEYS, "readability")
        s = self.settings
        for key in _READABILITY_KEYS & set(data):
            value = data[key]
            if value is False and key != "min_words":
                setattr(s, key, None)
            elif (isinstance(value, int | float) and not isinstance(value, bool) and value > 0
                  and (key == "max_grade" or float(value).is_integer())):
                setattr(s, key, value if key == "max_grade" else int(value))
            else:
                self.add(data.lines[key], f"readability: {key} must be a positive "
                         f"{'number' if key == 'max_grade' else 'whole number'}"
                         f"{'' if key == 'min_words' else ', or false to skip this part'}")

    def promise(self, data: LineDict) -> None:
        self.unknown(data, _PROMISE_KEYS, "promise")
        if "patterns" in data:
            self.settings.promise_patterns = self.pattern_list(data, "patterns", "promise")

    def postmortem(self, data: LineDict) -> None:
        parts = self.settings.postmortem_parts
        self.unknown(data, set(parts), "postmortem")
        for part in set(parts) & set(data):
            parts[part] = self.pattern_list(data, part, f"postmortem: {part}")

    def pattern_list(self, data: LineDict, key: str, what: str) -> list[re.Pattern[str]]:
        items = data[key]
        if isinstance(items, str):
            items = LineList([items])
            items.lines = [data.lines[key]]
        if not isinstance(items, LineList) or not items:
            self.add(data.lines[key], f"{what}: {key} must be a list of regular expressions or "
                     "phrases, e.g. ['next update']")
            return []
        return [p for item, line in zip(items, items.lines, strict=True)
                if (p := self.pattern(item, line, what, re.IGNORECASE)) is not None]
