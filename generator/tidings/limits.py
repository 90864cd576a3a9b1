"""The limits that keep any input checked in bounded time and memory (documentation/limits.md).

Each value is generous for real status content and far below what would make a reader, the
Markdown renderer or a terminal slow: whatever ``check`` accepts, the build builds quickly.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

MAX_FILE_BYTES = 256 * 1024  # one content file (about 40,000 words) or tidings.yml
MAX_YAML_NODES = 10_000  # values in one front matter or tidings.yml, aliases expanded
MAX_YAML_DEPTH = 32  # mappings and lists inside each other
MAX_MARKDOWN_NESTING = 16  # lists, quotes and brackets inside each other
# Characters the Markdown renderer scans for openers that never close in one paragraph
# (`[`, `<`, `](`): each one makes it read to the paragraph's end, so their cost multiplies.
MAX_MARKDOWN_SCAN = 1_000_000
MAX_PROBLEMS_PER_FILE = 20  # printed; the rest are counted in one last line
MAX_MESSAGE_CHARS = 400  # a problem's message (a huge quoted value is cut in the middle)
MAX_FOLDER_DEPTH = 8  # folders below incidents/ (incidents/2026/11/<id> is 3)
MAX_ID_CHARS = 100  # an incident id (its folder name) or an update's file name
# Timestamps outside this range are typing mistakes (and years like 9999 overflow dates).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_DURATION = timedelta(days=366)  # a duration (next_update: 2h, update_cadence: 60m)

_LIST_OR_QUOTE = re.compile(r"[ \t>]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|[ \t]*>")
_FENCE = re.compile(r"[ \t>]*(```|~~~)")
_TOKENS = re.compile(r"\\.|\]\(|[\[\]<]")


def markdown_problem(text: str) -> tuple[int, str] | None:
    """The first line (1-based, in ``text``) where Markdown exceeds a limit, and why."""
    return None if _plainly_within(text) else _walk_problem(text)


def _walk_problem(text: str) -> tuple[int, str] | None:
    """``markdown_problem`` line by line: fenced code is skipped, paragraphs are measured."""
    fence: str | None = None
    paragraph: list[str] = []
    start = 1
    for number, line in enumerate([*text.split("\n"), ""], 1):
        if (mark := _FENCE.match(line)) is not None:
            fence = None if fence == mark.group(1) else fence or mark.group(1)
            continue
        if fence is not None:
            continue
        depth = _container_depth(line)
        if depth > MAX_MARKDOWN_NESTING:
            return number, (f"lists or quotes are nested {depth} levels deep here (at most "
                            f"{MAX_MARKDOWN_NESTING}); flatten them")
        if line.strip():
            if not paragraph:
                start = number
            paragraph.append(line)
        elif paragraph:
            if (why := _paragraph_problem("\n".join(paragraph))) is not None:
                return start, why
            paragraph = []
    return None


def _plainly_within(text: str) -> bool:
    """True when counting characters proves the text within the limits, as for nearly every
    message: the line-by-line walk below costs more than reading and parsing the file."""
    brackets = text.count("[")
    openers = brackets + text.count("<") + text.count("](")
    if brackets > MAX_MARKDOWN_NESTING or openers * len(text) > MAX_MARKDOWN_SCAN:
        return False
    # A line nests deeper than the limit only with that many quotes, tabs and 4-space indents.
    levels = MAX_MARKDOWN_NESTING - text.count(">") - text.count("\t")
    return levels > 0 and " " * (4 * levels) not in text


def _container_depth(line: str) -> int:
    """Lists and quotes a line opens or continues: 4 columns of indent or one ``>`` each."""
    if not _LIST_OR_QUOTE.match(line):
        return 0
    columns = quotes = 0
    for char in line:
        if char == " ":
            columns += 1
        elif char == "\t":
            columns += 4 - columns % 4
        elif char == ">":  # a quote's own "> " is no indent: the text after it starts anew
            quotes += 1
            columns = -1
        else:
            break
    return max(columns, 0) // 4 + quotes + 1


def _paragraph_problem(text: str) -> str | None:
    """Brackets nested too deeply, or openers that never close over too long a text; stops
    at the first excess, so that a hostile paragraph costs no more than a legitimate one."""
    last_gt, last_paren = text.rfind(">"), text.rfind(")")
    open_at: list[int] = []
    scan = 0
    for token in _TOKENS.finditer(text):
        kind, at = token.group(), token.start()
        if kind == "[":
            open_at.append(at)
            if len(open_at) > MAX_MARKDOWN_NESTING:
                return (f"brackets are nested more than {MAX_MARKDOWN_NESTING} deep in this "
                        "paragraph; remove some, or write \\[ for a literal bracket")
        elif kind == "]" and open_at:
            open_at.pop()
        elif kind == "<" and at > last_gt or kind == "](" and at > last_paren:
            scan += len(text) - at
            if scan > MAX_MARKDOWN_SCAN:
                break
        if kind == "](" and open_at:
            open_at.pop()
    if scan + sum(len(text) - at for at in open_at) > MAX_MARKDOWN_SCAN:
        return ("this paragraph has many '[', '<' or '](' that never close, which makes it "
                "slow to render; close them, or write \\[ and \\< for literal characters")
    return None


def in_range(moment: datetime) -> bool:
    return EARLIEST <= moment < LATEST
