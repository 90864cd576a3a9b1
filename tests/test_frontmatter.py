"""Front matter's fast path reads exactly what the full YAML reader reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from tidings import frontmatter
from tidings.frontmatter import LineDict, LineList


def shape(value: Any) -> Any:
    """A value with the lines it remembers, for comparing two readers."""
    if isinstance(value, LineDict):
        return ("map", value.line, [(k, value.lines[k], shape(v)) for k, v in value.items()])
    if isinstance(value, LineList):
        return ("seq", value.line, [(line, shape(v)) for line, v in zip(value.lines, value,
                                                                          strict=True)])
    return (type(value).__name__, value)


def agree(text: str, first_line: int = 2) -> bool:
    """The fast path returns what ``full_yaml`` returns, or leaves the text to it; True when
    it took the text."""
    simple = frontmatter.simple_yaml(text, first_line)
    if simple is None:
        return False
    assert shape(simple) == shape(frontmatter.full_yaml(text, first_line)), text
    return True


_KEYS = ["a", "at", "status", "b-c", "_x", "A1", "null", "on", "yes", "y", "1", "<<", "=",
         "é", "a b", "'q'", "?a", "-a"]
_VALUES = ["x", "x y", "x  y", "investigating", "30m", "x: y", "x:y", "x #y", "x#y", "x:",
           ":x", "'q'", "'it''s'", "''", "''''", "'''", "'a'b'", "'a # b'", "' sp '", '"d"',
           '""', '"a\\nb"', '"a\'b"', '"a"b"', "[a, b]", "[]", "[ ]", "[a,]", "[a,,b]",
           "[a, [b]]", "[1, 2]", "[a b, c]", "[a: b]", "[a]x", "[yes]", "['q']", "|", "|-",
           "|+", "|2", ">", "~", "null", "1.5", "0x1F", ".inf", "2026-11-23T14:00:00Z",
           "'2026-11-23T14:00:00Z'", "-x", "-", "- x", "&a x", "*a", "!!str 1", "a, b", "a[1]",
           "{a: 1}", "{}", "é", "a\u00a0b", "%x", "@x", "`x`", "<x", "=", "<<", "a\\b",
           "https://x.example/a?b=c#d", "R&D", "50%", "a!", "true", "on", "no", "x\ty"]
_LINES = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(_KEYS), st.sampled_from(_VALUES)),
    st.builds(lambda k: f"{k}:", st.sampled_from(_KEYS)),
    st.builds(lambda i, k, v: f"{i}{k}: {v}", st.sampled_from([" ", "  ", "   ", "    "]),
              st.sampled_from(_KEYS), st.sampled_from(_VALUES)),
    st.builds(lambda i, k: f"{i}{k}:", st.sampled_from(["  ", "    "]), st.sampled_from(_KEYS)),
    st.builds(lambda i, v: f"{i}- {v}", st.sampled_from(["", "  ", "    "]),
              st.sampled_from(_VALUES)),
    st.builds(lambda i, v: f"{i}{v}", st.sampled_from([" ", "  ", "    ", "      "]),
              st.sampled_from(_VALUES)),
    st.sampled_from(["", " ", "  ", "-", "  -", "-  ", "# c", "a: b # c", "\t", "a:\tb", "---",
                     "...", "%YAML 1.1", "key:value", "text", "a: b ", "a:  b", "a: |  ",
                     "\r", "a: b\r", "\x85", "\u2028", "\ufeff", "\x1b", "a: \x07"]),
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_LINES, max_size=10), st.booleans(), st.integers(1, 40))
def test_the_fast_path_agrees_with_the_full_reader(lines: list[str], newline: bool,
                                                    first_line: int):
    agree("\n".join(lines) + ("\n" if newline else ""), first_line)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_the_fast_path_agrees_on_any_text(text: str):
    agree(text)
    agree(text + "\n")


@pytest.mark.parametrize("text", [
    "at: '2026-11-23T14:00:00Z'\nstatus: investigating\ncomponents:\n  api: major_outage\n"
    "next_update: 30m\n",
    "title: Elevated API errors\nimpact: minor\ncomponents:\n- api\n- web\n",
    "title: x\ncomponents: [api, web]\nroles: {commander: '@ana'}\n",  # a flow map: full_yaml
    "title: \"It's slow\"\ninternal: |\n  Pager: #ops-42\n\n  Rolled back: yes\n\n\nimpact: none\n",
    "title: x\ncomponents:\n  - api\n  -\nroles:\n  commander: '@ana'\n  communications:\n",
    "published: '2026-11-24T10:00:00Z'\n",
])
def test_the_shapes_authoring_writes(text: str):
    accepted = agree(text)
    assert accepted == ("{" not in text)


@pytest.mark.parametrize("text", [
    "status: resolved\nstatus: investigating\n",  # a duplicate key: full_yaml's error
    "at: 2026-11-23T14:00:00Z\ninternal: true\n",  # a boolean
    "title: a\n  b\n",  # a plain scalar over two lines
    "title: x # comment\n",
    "title: \"\\e[31m\"\n",  # an escape
])
def test_what_the_fast_path_leaves_to_the_full_reader(text: str):
    assert frontmatter.simple_yaml(text) is None



def outcome(function, text: str) -> Any:
    try:
        return function(text)
    except frontmatter.FrontMatterError as error:
        return ("error", error.line, error.message)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["---", "...", "--- ", "---\t", "----", "-- -", ".. .", "\n",
                                 "\n\n", " ", "\t", "\r", "\r\n", "\x85", "\u2028", "\x0c",
                                 "\xa0", "a", "key: v", "x\n---x"]), max_size=12).map("".join))
@example("---\na: b\n---\t\nbody\n---\n")
@example("---\na: b\n...\xa0\n\nbody\n---\n")
@example("--- \n---")
def test_splitting_at_the_fences_agrees_with_splitting_lines(text: str):
    assert outcome(frontmatter.split, text) == outcome(frontmatter.split_lines, text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100))
def test_splitting_agrees_on_any_text(text: str):
    for variant in (text, "---\n" + text, "---\n" + text + "\n---\n" + text):
        assert outcome(frontmatter.split, variant) == outcome(frontmatter.split_lines, variant)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40)
       | st.text(max_size=40))
def test_usual_text_is_what_the_regex_finds(text: str):
    raw = text.encode("utf-8", "surrogatepass")
    assert frontmatter.usual(raw, text) == (frontmatter._UNUSUAL.search(text) is None)


def parse_step_by_step(raw: bytes) -> Any:
    """What ``parse`` reads, by its steps one after the other, each with all its checks."""
    if not raw.strip():
        raise frontmatter.FrontMatterError(1, "the file is empty; it needs front matter "
                                           "between two '---' lines")
    front, body, body_line = frontmatter.split(frontmatter.decode(raw))
    meta = frontmatter.load_yaml(front, first_line=2)
    return shape(meta), body, body_line


def parse_outcome(raw: bytes) -> Any:
    try:
        doc = frontmatter.parse(Path("x.md"), raw)
    except frontmatter.FrontMatterError as error:
        return ("error", error.line, error.message)
    return shape(doc.meta), doc.body, doc.body_line


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["---\n", "...\n", "--- \n", "at: '2026-11-23T14:00:00Z'\n",
                                 "status: resolved\n", "components:\n", "  api: operational\n",
                                 "- api\n", "x: |\n", "  text\n", "a: b\r\n", "\t", "\x00",
                                 "\x1b", "\x85", "\u2028", "\ufeff", "body\n", "\n", "é",
                                 "a: b # c\n", "a: [b, c]\n", "\xff"]),
                max_size=14).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")))
@example(b"\xef\xbb\xbf---\na: b\n---\nbody\n")
@example(b"---\na: b\n---\nbody \x1b[31m\n")
@example(b"---\na: \xff\n---\n")
def test_parse_reads_what_its_steps_read(raw: bytes):
    """``parse`` skips the steps' checks for characters when one look finds none of them."""
    try:
        expected = parse_step_by_step(raw)
    except frontmatter.FrontMatterError as error:
        expected = ("error", error.line, error.message)
    if expected[0] != "error" and not (isinstance(expected[0], tuple)
                                       and expected[0][0] == "map"):
        return  # not a mapping: parse words its own error
    assert parse_outcome(raw) == expected


_NESTING = st.lists(st.sampled_from(["a: ", "- ", "[", "]", "{", "}", "b: ", "&x ", "*x", "1",
                                     ", ", "\n", "  ", "    ", "c", "&y [*x, *x]", "*y"]),
                    max_size=120).map("".join)


_TEN = ", ".join(["*{}"] * 10)
LAUGHS = ("a: &a [" + ", ".join("x" * 10) + "]\nb: &b [" + _TEN.format(*"a" * 10) + "]\n"
          "c: &c [" + _TEN.format(*"b" * 10) + "]\nd: [" + _TEN.format(*"c" * 10) + "]\n")
DEEP_FLOW = "a: " + "[" * 33 + "]" * 33 + "\n"
DEEP_BLOCK = "".join(" " * n + f"k{n}:\n" for n in range(34)) + " " * 34 + "v: 1\n"


@settings(max_examples=2000, deadline=None)
@given(_NESTING, st.integers(1, 40))
@example(LAUGHS, 1)
@example(DEEP_FLOW, 1)
@example(DEEP_BLOCK, 1)
def test_skipping_the_size_walk_never_skips_a_refusal(text: str, repeat: int):
    """``_may_exceed`` False (the size walk skipped) only for what the walk accepts."""
    import yaml

    text = text * repeat
    if frontmatter._may_exceed(text):
        return
    try:
        loader = frontmatter._LineLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return
    frontmatter._check_size(node)  # never raises


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.binary(max_size=60), st.text(max_size=60).map(str.encode),
                 st.text(max_size=60).map(lambda t: b"\xef\xbb\xbf" + t.encode())))
def test_decoding_is_what_the_utf8_sig_codec_gives(raw: bytes):
    try:
        expected: Any = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        expected = UnicodeDecodeError
    try:
        assert frontmatter.decode(raw) == expected
    except frontmatter.FrontMatterError as error:
        assert expected is UnicodeDecodeError or frontmatter._CONTROL.search(expected), error


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["a: ", "b: ", "'", '"', "x", "\x1b", "\x07", "\x85", "\x9b",
                                 "\ufffe", "\t", "\n", "- ", "[", "]", "{", "}", "|\n  ", ": "]),
                max_size=30).map("".join))
def test_without_a_backslash_no_value_holds_a_control_character(text: str):
    """Why ``_printable`` runs only on texts with a "\\": YAML refuses the character itself."""
    try:
        value = frontmatter.full_yaml(text)
    except frontmatter.FrontMatterError:
        return
    assert not any(frontmatter._CONTROL.search(s) for s in _strings(value))


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.sampled_from(["yes", "No", "on", "~", "null", "30m", "1_000", "0x1f", "1e3",
                                  ".inf", "-.5", "<<", "=", "true", "operational", "title"]),
                 st.text(min_size=1, max_size=12)))
def test_the_kept_answers_are_the_resolvers(word: str):
    for _ in range(2):  # asked, then kept
        assert frontmatter._plain_str(word) == frontmatter.plain_str(word)
    loader = frontmatter._LineLoader("")
    try:
        resolved = loader.resolve(frontmatter.ScalarNode, word, (True, False))
    finally:
        loader.dispose()
    assert frontmatter.plain_str(word) == (resolved == "tag:yaml.org,2002:str")
