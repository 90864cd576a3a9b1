"""Read Markdown files with YAML front matter, remembering the line of every key and item.

Timestamps stay strings here (the implicit YAML timestamp type is removed) so that
``timestamps`` can parse them with one set of rules and clear messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class LineDict(dict):
    """A mapping that knows the line (1-based) of each key."""

    lines: dict[Any, int]
    line: int


class LineList(list):
    """A sequence that knows the line (1-based) of each item."""

    lines: list[int]
    line: int


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    def construct_mapping(self, node, deep=False):  # noqa: D102
        self.flatten_mapping(node)
        result = LineDict()
        result.lines = {}
        result.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain word", key_node.start_mark
                ) from None
            result[key] = self.construct_object(value_node, deep=True)
            result.lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node, deep=False):  # noqa: D102
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.lines = [child.start_mark.line + 1 for child in node.value]
        result.line = node.start_mark.line + 1
        return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


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


def load_yaml(text: str, first_line: int = 1) -> Any:
    """Parse YAML, returning LineDict/LineList; raise FrontMatterError with the absolute line."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
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
    if first_line != 1:
        _shift_lines(data, first_line - 1, set())
    return data


def _shift_lines(value: Any, offset: int, seen: set[int]) -> None:
    """Make lines absolute; each node once, as YAML aliases may share or loop."""
    if not isinstance(value, LineDict | LineList) or id(value) in seen:
        return
    seen.add(id(value))
    value.line += offset
    if isinstance(value, LineDict):
        value.lines = {k: v + offset for k, v in value.lines.items()}
        children = list(value.values())
    else:
        value.lines = [v + offset for v in value.lines]
        children = list(value)
    for child in children:
        _shift_lines(child, offset, seen)


def parse(path: Path, raw: bytes) -> Document:
    """Split ``---``-delimited YAML front matter from the Markdown body."""
    if not raw.strip():
        raise FrontMatterError(
            1, "the file is empty; it needs front matter between two '---' lines")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FrontMatterError(
            line, "the file is not UTF-8 text; save it with UTF-8 encoding") from None
    if "\x00" in text:
        raise FrontMatterError(1, "the file contains NUL bytes; it must be UTF-8 Markdown text")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise FrontMatterError(
            1, "missing front matter: the file must start with a '---' line, then YAML, then '---'"
        )
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise FrontMatterError(1, "front matter is not closed: add a '---' line after the YAML")
    meta = load_yaml("".join(lines[1:end]), first_line=2)
    if meta is None:
        raise FrontMatterError(1, "the front matter is empty; add the required keys")
    if not isinstance(meta, LineDict):
        raise FrontMatterError(2, "the front matter must be a YAML mapping of 'key: value' lines")
    return Document(path, meta, "".join(lines[end + 1 :]).strip("\n"), end + 2)
