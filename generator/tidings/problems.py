"""Problems found in content: collected in one pass, reported together as ``path:line: message``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .limits import MAX_MESSAGE_CHARS, MAX_PROBLEMS_PER_FILE

# GitHub's workflow-command escaping: the message (data) and the file=/line= properties.
_DATA_ESCAPES = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY_ESCAPES = {**_DATA_ESCAPES, ":": "%3A", ",": "%2C"}


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"

    def annotation(self) -> str:
        """A GitHub Actions workflow command, so the problem shows on the pull request's line;
        escaped so that no file name or message can end the command or start another."""
        return (f"::{self.severity} file={_escape(self.path, _PROPERTY_ESCAPES)},"
                f"line={self.line}::{_escape(self.message, _DATA_ESCAPES)}")


def _escape(text: str, escapes: dict[str, str]) -> str:
    return "".join(escapes.get(char, char) for char in text)


@dataclass
class Problems:
    """Collects problems; paths are shown relative to ``root`` when possible."""

    root: Path = field(default_factory=Path.cwd)
    items: list[Problem] = field(default_factory=list)

    def add(self, path: Path | str, line: int, message: str, severity: str = "error") -> None:
        one_line = _shorten(" ".join(message.split()))  # always one `path:line:` line
        self.items.append(Problem(self.display(path), max(line, 1), one_line, severity))

    def warn(self, path: Path | str, line: int, message: str) -> None:
        self.add(path, line, message, "warning")

    def display(self, path: Path | str) -> str:
        path = Path(path)
        try:  # never resolved: a link is shown where it is, not where it points
            shown = Path(os.path.abspath(path)).relative_to(os.path.abspath(self.root)).as_posix()
        except ValueError:
            shown = path.as_posix()
        # A control character in a folder name must not reach the terminal or an annotation.
        return "".join(c if c.isprintable() else c.encode("unicode_escape").decode()
                       for c in shown)

    @property
    def errors(self) -> list[Problem]:
        return _capped(sorted(p for p in self.items if p.severity == "error"))

    @property
    def warnings(self) -> list[Problem]:
        return _capped(sorted(p for p in self.items if p.severity == "warning"))

    def __bool__(self) -> bool:
        return bool(self.errors)


class ContentError(Exception):
    """Raised when content has errors; carries every problem so all are reported at once."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _shorten(message: str) -> str:
    """A message within MAX_MESSAGE_CHARS: a huge quoted value loses its middle."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    half = (MAX_MESSAGE_CHARS - 1) // 2
    return message[:half] + "…" + message[-half:]


def _capped(problems: list[Problem]) -> list[Problem]:
    """At most MAX_PROBLEMS_PER_FILE problems of one file, then one line counting the rest."""
    shown: list[Problem] = []
    per_file: dict[str, int] = {}
    for problem in problems:
        count = per_file[problem.path] = per_file.get(problem.path, 0) + 1
        if count <= MAX_PROBLEMS_PER_FILE:
            shown.append(problem)
    for path, count in per_file.items():
        if count > MAX_PROBLEMS_PER_FILE:
            last = max(p for p in shown if p.path == path)
            shown.append(Problem(path, last.line, f"… and {count - MAX_PROBLEMS_PER_FILE} more "
                                 "problem(s) in this file; fix these and check again",
                                 last.severity))
    return sorted(shown)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean "x"?)' hint for a misspelling, or an empty string."""
    import difflib  # only for a typo: a check without one never imports it

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def one_of(choices: Iterable[str]) -> str:
    return ", ".join(f'"{c}"' for c in choices)
