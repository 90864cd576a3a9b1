"""Read Markdown files with YAML front matter, remembering the line of every key and item.

Timestamps stay strings here (the implicit YAML timestamp type is removed) so that
``timestamps`` can parse them with one set of rules and clear messages.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .limits import MAX_FILE_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{name}" for name in ("str", "map", "seq"))
_MERGE_TAGS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})  # `<<`, `=`
# Characters no page, feed (XML 1.0) or terminal should get from content: C0 and C1 controls
# but tab and line ends (a terminal colour code from a pasted log is ESC), and non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


_N = TypeVar("_N", bound=Node)


class LineDict(dict[Any, Any]):
    """A mapping that knows the line (1-based) of each key."""

    lines: dict[Any, int]
    line: int


class LineList(list[Any]):
    """A sequence that knows the line (1-based) of each item."""

    lines: list[int]
    line: int


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Builds LineDict/LineList with absolute lines; plain strings and containers take a
    short path (a front matter is mostly those), everything else PyYAML's own constructors."""

    line_offset = 0  # added to every line: the text's first line in its file, minus one
    escapes = True  # whether the text has a "\\": only a YAML escape puts a control in a value

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]
                ) -> str:  # noqa: D102 - BaseResolver.resolve, unrolled
        if kind is ScalarNode and not self.yaml_path_resolvers:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                    if regexp.match(value):
                        return str(tag)
            return str(self.DEFAULT_SCALAR_TAG)
        return str(super().resolve(kind, value, implicit))

    def construct_child(self, node: Node) -> Any:
        """``construct_object(node, deep=True)`` with the same memo and loop check, faster."""
        tag, kind = node.tag, type(node)
        if kind is ScalarNode and tag == _STR:
            return _printable(node.value, node) if self.escapes else node.value
        if not ((kind is MappingNode and tag == _MAP) or (kind is SequenceNode and tag == _SEQ)):
            value = self.construct_object(node, deep=True)
            return _printable(value, node) if isinstance(value, str) else value
        if node in self.constructed_objects:
            return self.constructed_objects[node]
        if node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "found unconstructable recursive node", node.start_mark)
        self.recursive_objects[node] = None
        data = (self.construct_mapping(node) if kind is MappingNode
                else self.construct_sequence(node))
        self.constructed_objects[node] = data
        del self.recursive_objects[node]
        return data

    def construct_mapping(self, node: Node, deep: bool = False  # noqa: D102
                          ) -> LineDict:
        node = _expect(node, MappingNode, "mapping")
        _no_duplicate_keys(node, self.line_offset + 1)
        for key_node, _value in node.value:  # flatten only when there is something to do
            if key_node.tag in _MERGE_TAGS:
                self.flatten_mapping(node)
                break
        offset = self.line_offset + 1
        result = LineDict()
        result.lines = lines = {}
        result.line = node.start_mark.line + offset
        for key_node, value_node in node.value:
            key = self.construct_child(key_node)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain word", key_node.start_mark
                ) from None
            result[key] = self.construct_child(value_node)
            lines[key] = key_node.start_mark.line + offset
        return result

    def construct_sequence(self, node: Node, deep: bool = False  # noqa: D102
                           ) -> LineList:
        node = _expect(node, SequenceNode, "sequence")
        offset = self.line_offset + 1
        result = LineList(self.construct_child(child) for child in node.value)
        result.lines = [child.start_mark.line + offset for child in node.value]
        result.line = node.start_mark.line + offset
        return result


class _Refused(yaml.constructor.ConstructorError):
    """Valid YAML that breaks a rule of ours; its message is complete as it is."""


def _printable(value: str, node: Node) -> str:
    """A string value, unless it holds a character ``check_text`` refuses: a YAML escape
    ("\\e", "\\x07") writes one without it being in the file."""
    found = _CONTROL.search(value)
    if found is not None:
        raise _Refused(None, None, f"the value holds the invisible character "
                       f"U+{ord(found.group()):04X} (written as an escape such as \\x1b), "
                       "which no page or feed can show; delete it", node.start_mark)
    return value


def _no_duplicate_keys(node: MappingNode, offset: int) -> None:
    """A key written twice is an error: with "the last one wins", a ``status: resolved`` on top
    is silently overridden by a forgotten line further down."""
    seen: dict[str, int] = {}
    for key_node, _value in node.value:
        if isinstance(key_node, ScalarNode) and key_node.tag not in _MERGE_TAGS:
            if key_node.value in seen:
                raise _Refused(
                    None, None, f'the key "{key_node.value}" is written twice (first on line '
                    f"{seen[key_node.value] + offset}); keep one", key_node.start_mark)
            seen[key_node.value] = key_node.start_mark.line


def _may_exceed(text: str) -> bool:
    """False when counting characters proves the limits of ``_check_size`` kept, as for
    nearly every file: without an alias the values are bounded by the text, and each level
    of nesting takes a "[", "{", "-" or one more space of indent."""
    markers = text.count("[") + text.count("{") + text.count("-")
    return ("*" in text or markers >= MAX_YAML_DEPTH
            or " " * (MAX_YAML_DEPTH - markers) in text or len(text) > MAX_YAML_NODES)


def _check_size(node: Node | None) -> None:
    """Refuse a document nested too deeply or larger than MAX_YAML_NODES once its aliases are
    expanded: a few hundred bytes of ``&a [*b, *b, …]`` would otherwise expand to gigabytes
    wherever a value is printed or walked."""
    sizes: dict[int, int] = {}

    def size(node: Node, depth: int) -> int:
        if depth > MAX_YAML_DEPTH:
            raise _Refused(
                None, None, f"the YAML is nested more than {MAX_YAML_DEPTH} levels deep; "
                "simplify it", node.start_mark)
        if id(node) in sizes:
            if sizes[id(node)] < 0:
                raise _Refused(
                    None, None, "an alias refers to the value that contains it", node.start_mark)
            return sizes[id(node)]
        sizes[id(node)] = -1
        children = (node.value if isinstance(node, SequenceNode)
                    else [n for pair in node.value for n in pair]
                    if isinstance(node, MappingNode) else [])
        total = 1 + sum(size(child, depth + 1) for child in children)
        if total > MAX_YAML_NODES:
            raise _Refused(
                None, None, f"the YAML has more than {MAX_YAML_NODES} values once its aliases "
                "(*name) are expanded; write the values out or remove the aliases",
                node.start_mark)
        sizes[id(node)] = total
        return total

    if node is not None:
        size(node, 0)


def _expect(node: Node, kind: type[_N], name: str) -> _N:
    """``!!map [1]`` or ``!!seq {a: 1}``: a clear error instead of a crash."""
    if not isinstance(node, kind):
        found = getattr(node, "id", "node")
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag says {name}, but the value is a {found}", node.start_mark)
    return node


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
# What BaseResolver.resolve tries for a plain scalar, by its first character, precomputed.
_WILDCARD = _LineLoader.yaml_implicit_resolvers.get(None, [])
_IMPLICIT = {first: resolvers + _WILDCARD
             for first, resolvers in _LineLoader.yaml_implicit_resolvers.items()}


class FrontMatterError(Exception):
    """The file cannot be read as front matter plus body; ``line`` points at the cause."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(message)


@dataclass
class Document:
    path: Path
    meta: LineDict
    body: str
    body_line: int  # line where the body starts


def check_text(text: str, first_line: int = 1) -> None:
    """Raise FrontMatterError for a character no output may carry (see ``_CONTROL``)."""
    found = _CONTROL.search(text)
    if found is not None:
        char = found.group()
        line = first_line + text.count("\n", 0, found.start())
        hint = " (a terminal colour code from a pasted log?)" if char == "\x1b" else ""
        raise FrontMatterError(line, f"the line contains the invisible character "
                               f"U+{ord(char):04X}{hint}, which no page or feed can show; "
                               "delete it")


def without_control(text: str) -> tuple[str, int]:
    """``text`` without the characters ``check_text`` rejects, and how many were removed
    (for importers: another page's history may carry them)."""
    return _CONTROL.subn("", text)


def decode(raw: bytes) -> str:
    """UTF-8 text (a BOM is dropped) within MAX_FILE_BYTES, without control characters."""
    return _printable_text(_utf8(raw))


def _printable_text(text: str) -> str:
    """``text``, unless it holds a NUL or another character ``check_text`` refuses."""
    if "\x00" in text:
        raise FrontMatterError(1, "the file contains NUL bytes; it must be UTF-8 Markdown text")
    check_text(text)
    return text


def _utf8(raw: bytes) -> str:
    """``decode`` but for its checks of the characters."""
    if len(raw) > MAX_FILE_BYTES:
        raise FrontMatterError(1, f"the file has {len(raw):,} bytes, more than the limit of "
                               f"{MAX_FILE_BYTES:,}; shorten it or split it into updates")
    try:  # what "utf-8-sig" does, without its Python-level codec: the built-in UTF-8 decoder
        text = raw[3:].decode() if raw.startswith(codecs.BOM_UTF8) else raw.decode()
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FrontMatterError(
            line, "the file is not UTF-8 text; save it with UTF-8 encoding") from None
    return text


def load_yaml(text: str, first_line: int = 1) -> Any:
    """Parse YAML, returning LineDict/LineList; raise FrontMatterError with the absolute line.

    Front matter as authoring writes it takes ``simple_yaml``, five times faster than libyaml
    and PyYAML; anything else, and every error, is ``full_yaml``'s."""
    simple = simple_yaml(text, first_line)
    return full_yaml(text, first_line) if simple is None else simple


def full_yaml(text: str, first_line: int = 1) -> Any:
    """``load_yaml`` by libyaml and PyYAML's construction (with the shortcuts of _LineLoader)."""
    try:
        loader = _LineLoader(text)
        loader.line_offset = first_line - 1  # lines come out absolute, in the file's numbering
        loader.escapes = "\\" in text  # YAML itself refuses a literal control character
        try:
            node = loader.get_single_node()
            if _may_exceed(text):
                _check_size(node)
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except _Refused as exc:
        line = first_line + (exc.problem_mark.line if exc.problem_mark else 0)
        raise FrontMatterError(line, str(exc.problem)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        message = f"YAML syntax error: {exc.problem or exc}"
        if exc.context and exc.context_mark:
            message += f" ({exc.context} on line {first_line + exc.context_mark.line})"
        raise FrontMatterError(line, message + "; check quotes, brackets and indentation") from None
    except yaml.reader.ReaderError as exc:
        line = first_line + text[: exc.position].count("\n")
        raise FrontMatterError(line, f"the YAML contains the control character {exc.character!r}"
                               ", which YAML does not allow; delete it") from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(first_line, f"YAML error: {exc}") from None
    except RecursionError:
        raise FrontMatterError(first_line, "the YAML is nested too deeply; simplify it") from None
    return data


# -- the fast path: the shapes authoring writes ----------------------------------------------
# Top-level `key: value` lines whose values are one-line scalars (plain, 'single' or "double"
# quoted without escapes), flow lists of plain words, `|` text, or an indented block of
# `- item` lines or of `key: scalar` lines. Anything else (comments, anchors, tags, escapes,
# tabs, other line breaks, values YAML reads as numbers, booleans or null, every error) makes
# ``simple_yaml`` return None and ``full_yaml`` read the text; the two agree on every text the
# fast path accepts (tests/test_frontmatter.py).

_KEY_LINE = re.compile(r"( *)([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
_FLOW_WORD = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@` ][^,\[\]{}#:'\"]*")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# What YAML treats specially, or refuses, wherever it stands in the text.
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_NO = object()  # "not of the simple shape"
_EMPTY = object()  # the value of "key:" with nothing after it: null or the block below
_LITERAL = object()  # the value of "key: |": the text below
KeyLine = tuple[int, str, Any]  # indent, key, value (a scalar, a flow list's words, or a mark)
_BLANK: KeyLine = (-1, "", None)  # a line of spaces or nothing


def simple_yaml(text: str, first_line: int = 1) -> LineDict | None:
    """What ``full_yaml`` returns for a front matter of the shapes authoring writes, read line
    by line; None for any other text. A text within MAX_YAML_NODES characters is within the
    size limits: each value takes a character of its own (a null one its key's colon)."""
    return None if _UNUSUAL.search(text) else _simple_lines(text, first_line)


def _simple_lines(text: str, first_line: int) -> LineDict | None:
    """``simple_yaml`` of a text without unusual characters."""
    if not text.endswith("\n") or len(text) >= MAX_YAML_NODES:
        return None
    lines = text.split("\n")
    lines.pop()
    result = LineDict()
    result.lines = {}
    n, count = 0, len(lines)
    memo = _LINE_MEMO
    while n < count:
        found = memo.get(lines[n]) or key_line(lines[n])  # key_line, inlined when it is kept
        if found is _BLANK:
            n += 1
            continue
        if found is None or found[0]:
            return None
        _, key, value = found
        if key in result:
            return None
        if not result:
            result.line = first_line + n
        result.lines[key] = first_line + n
        if value is _LITERAL:
            value, n = _literal(lines, n + 1)
        elif value is _EMPTY:
            value, n = _block(lines, n + 1, first_line)
        else:
            value = _flow(value, first_line + n) if type(value) is tuple else value
            n += 1
        if value is _NO:
            return None
        result[key] = value
    return result if result else None


def key_line(raw: str) -> KeyLine | None:
    """What one line is by itself (``read_key_line``). The same few lines (statuses, component
    changes, ``next_update: 1h``) come back in nearly every file, so the answers for the first
    _MEMO_SIZE distinct lines are kept."""
    if raw in _LINE_MEMO:
        return _LINE_MEMO[raw]
    found = read_key_line(raw)
    if len(_LINE_MEMO) < _MEMO_SIZE:
        _LINE_MEMO[raw] = found
    return found


def read_key_line(raw: str) -> KeyLine | None:
    """A ``key: value`` line's indent, key and value: a scalar, the words of a flow list (a
    tuple), _EMPTY, _LITERAL, or _NO for a value of another shape; _BLANK for a blank line and
    None for any other line."""
    line = raw.rstrip(" ")
    if not line:
        return _BLANK
    match = _KEY_LINE.fullmatch(line)
    if match is None:
        return None
    indent, key, rest = match.groups()
    if not _plain_str(key):
        return None
    if rest is None:
        value: Any = _EMPTY
    elif rest == "|":
        value = _LITERAL
    else:
        value = _flow_words(rest) if rest[0] == "[" else _scalar(rest)
    return len(indent), key, value


def _plain_str(value: str) -> bool:
    """Whether YAML reads the plain scalar ``value`` as a string (as _LineLoader.resolve).
    The same few words (statuses, component ids, ``30m``) come back in every file, so the
    answers for the first _MEMO_SIZE distinct ones are kept."""
    if value[0] not in _IMPLICIT and not _WILDCARD:  # no resolver for words starting so
        return True
    known = _MEMO.get(value)
    if known is None:
        known = plain_str(value)
        if len(_MEMO) < _MEMO_SIZE:
            _MEMO[value] = known
    return known


def plain_str(value: str) -> bool:
    """``_plain_str``, every resolver tried."""
    for _tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):  # noqa: SIM110 - any() costs more
        if regexp.match(value):
            return False
    return True


_MEMO: dict[str, bool] = {}
_LINE_MEMO: dict[str, KeyLine | None] = {}
_MEMO_SIZE = 4096


def _scalar(text: str) -> Any:
    """A one-line scalar in a block (``text`` has no trailing spaces), or _NO."""
    first = text[0]
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            return _NO
        return inner.replace("''", "'")
    if first == '"':
        inner = text[1:-1]
        return _NO if len(text) < 2 or text[-1] != '"' or '"' in inner or "\\" in inner else inner
    if (first in _INDICATORS or ": " in text or " #" in text or text[-1] == ":"
            or not _plain_str(text)):
        return _NO
    return text


def _flow_words(text: str) -> tuple[str, ...] | object:
    """The words of a flow list of plain words on one line (``text`` starts with "["), or _NO."""
    if text[-1] != "]":
        return _NO
    inner = text[1:-1]
    if not inner.strip(" "):
        return ()
    words = tuple(item.strip(" ") for item in inner.split(","))
    if any(_FLOW_WORD.fullmatch(word) is None or not _plain_str(word) for word in words):
        return _NO
    return words


def _flow(words: tuple[str, ...], line: int) -> LineList:
    """A flow list's words as the list a value is, on ``line``."""
    items = LineList(words)
    items.line = line
    items.lines = [line] * len(items)
    return items


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block(lines: list[str], start: int, first_line: int) -> tuple[Any, int]:
    """The value of a top-level ``key:`` with nothing after it: the indented block below,
    or null; with the index of the line after it."""
    n = start
    while n < len(lines) and not lines[n].strip(" "):
        n += 1
    if n == len(lines) or (lines[n][0] != " " and lines[n][0] != "-"):
        return None, n
    indent = _indent(lines[n])
    if lines[n][indent] == "-":
        return _sequence(lines, n, indent, first_line)
    return _mapping(lines, n, indent, first_line)


def _sequence(lines: list[str], start: int, indent: int, first_line: int) -> tuple[Any, int]:
    """``- item`` lines at ``indent``, each item a scalar or null."""
    items = LineList()
    items.lines = []
    items.line = first_line + start
    prefix = " " * indent + "-"
    n = start
    while n < len(lines):
        line = lines[n].rstrip(" ")
        if not line:
            n += 1
            continue
        if not line.startswith(prefix):
            if _indent(line):
                return _NO, n
            break
        rest = line[len(prefix):]
        if rest and rest[0] != " ":
            return _NO, n
        item = _scalar(rest.lstrip(" ")) if rest else None
        if item is _NO:
            return _NO, n
        items.append(item)
        items.lines.append(first_line + n)
        n += 1
    return items, n


def _mapping(lines: list[str], start: int, indent: int, first_line: int) -> tuple[Any, int]:
    """``key: scalar`` lines at ``indent`` (> 0), a value null or on the key's line."""
    result = LineDict()
    result.lines = {}
    result.line = first_line + start
    n, count = start, len(lines)
    memo = _LINE_MEMO
    while n < count:
        found = memo.get(lines[n]) or key_line(lines[n])
        if found is _BLANK:
            n += 1
            continue
        at = _indent(lines[n]) if found is None else found[0]
        if at != indent:  # the block ends at a top-level line; any other indent is not simple
            return (result, n) if at == 0 else (_NO, n)
        if found is None or found[1] in result:
            return _NO, n
        _, key, value = found
        if value is _EMPTY:
            after = next((lin for lin in lines[n + 1:] if lin.strip(" ")), "")
            value = None if _indent(after) < indent or (
                _indent(after) == indent and after[indent] != "-") else _NO
        elif value is _LITERAL:
            value = _NO
        elif type(value) is tuple:
            value = _flow(value, first_line + n)
        if value is _NO:
            return _NO, n
        result[key] = value
        result.lines[key] = first_line + n
        n += 1
    return result, n


def _literal(lines: list[str], start: int) -> tuple[Any, int]:
    """The text of a top-level ``key: |``: its lines, their common indent removed, ending
    in one line break (YAML's "clip"); lines of only spaces are left to full_yaml."""
    n = start
    while n < len(lines) and not lines[n]:
        n += 1
    if n == len(lines) or lines[n][0] != " ":
        return "", n
    indent = _indent(lines[n])
    text = []
    n = start
    while n < len(lines):
        line = lines[n]
        if line and not line.strip(" "):
            return _NO, n
        if line and _indent(line) < indent:
            break
        text.append(line[indent:])
        n += 1
    while text and not text[-1]:
        text.pop()
    return ("\n".join(text) + "\n" if text else ""), n


def parse(path: Path, raw: bytes) -> Document:
    """Split ``---``-delimited YAML front matter from the Markdown body."""
    if not raw.strip():
        raise FrontMatterError(
            1, "the file is empty; it needs front matter between two '---' lines")
    text = _utf8(raw)
    if usual(raw, text):  # as in nearly every file: the checks of decode, split and
        # simple_yaml for unusual characters would find nothing
        front, body, body_line = _split_at_fences(text) or split_lines(text)
        simple = _simple_lines(front, 2)
        meta = full_yaml(front, 2) if simple is None else simple
    else:
        _printable_text(text)  # refuses NUL and control characters, each with its message
        front, body, body_line = split(text)
        meta = load_yaml(front, first_line=2)
    if meta is None:
        raise FrontMatterError(1, "the front matter is empty; add the required keys")
    if not isinstance(meta, LineDict):
        raise FrontMatterError(2, "the front matter must be a YAML mapping of 'key: value' lines")
    return Document(path, meta, body, body_line)


def usual(raw: bytes, text: str) -> bool:
    """Whether ``text`` (decoded from ``raw``) holds none of the characters ``_UNUSUAL``
    finds; for ASCII, by deleting every usual byte (a fifth of the regex's time)."""
    if raw.isascii():
        return not raw.translate(None, _USUAL_ASCII)
    return _UNUSUAL.search(text) is None


_USUAL_ASCII = b"\n" + bytes(range(0x20, 0x7F))  # the ASCII that _UNUSUAL does not find


def split(text: str) -> tuple[str, str, int]:
    """The front matter of ``text``, its body and the body's first line. A text whose only
    line break is "\n", as nearly every one, takes ``_split_at_fences`` (which gives up on
    a text without both ``---`` lines, leaving the error to ``split_lines``)."""
    found = None if _OTHER_BREAKS.search(text) else _split_at_fences(text)
    return split_lines(text) if found is None else found


def split_lines(text: str) -> tuple[str, str, int]:
    """``split`` line by line, any line break Python knows."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise FrontMatterError(
            1, "missing front matter: the file must start with a '---' line, then YAML, then '---'"
        )
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise FrontMatterError(1, "front matter is not closed: add a '---' line after the YAML")
    return "".join(lines[1:end]), "".join(lines[end + 1 :]).strip("\n"), end + 2


# Line breaks other than "\n" that str.splitlines knows; a fence line is "---" or "..." and
# white space (what str.rstrip takes), alone on its line.
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_OPENING = re.compile(r"---[^\S\n]*(?:\n|\Z)")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)


def _split_at_fences(text: str) -> tuple[str, str, int] | None:
    """``split_lines`` for a text whose lines all end in "\n", without splitting it."""
    if text.startswith("---\n"):  # as Tidings writes: "---" lines, no other fence before
        end = text.find("\n---\n", 3)
        if end > 0 and text.find("\n---", 3, end) < 0 and text.find("\n...", 3, end) < 0:
            return text[4:end + 1], text[end + 5:].strip("\n"), text.count("\n", 0, end) + 3
    opening = _OPENING.match(text)
    if opening is None or (closing := _CLOSING.search(text, opening.end())) is None:
        return None
    return (text[opening.end():closing.start()], text[closing.end() + 1:].strip("\n"),
            text.count("\n", 0, closing.start()) + 2)
