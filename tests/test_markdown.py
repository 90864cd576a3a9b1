"""Content Markdown is GitHub Flavored Markdown as GitHub renders it, sanitised (render.py)."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tidings import cmark, render
from tidings.chat_markup import chat_markdown, slack_mrkdwn

SPEC = json.loads((Path(__file__).parent / "fixtures" / "gfm-spec" / "examples.json")
                  .read_text(encoding="utf-8"))["examples"]
# The spec's expected HTML is for cmark's default of soft breaks as newlines.
SPEC_OPTIONS = render.DOCUMENT


class _Normal(HTMLParser):
    """HTML in a form that compares equal when it means the same: attributes sorted, no
    self-closing slash, no whitespace between tags, entities decoded; ``rel`` (which the
    sanitiser adds to every link) left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = sorted((k, v or "") for k, v in attrs if k != "rel")
        self.out.append(f"<{tag}" + "".join(f' {k}="{v}"' for k, v in kept) + ">")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data.replace("<", "&lt;").replace(">", "&gt;"))


def normal(markup: str) -> str:
    parser = _Normal()
    parser.feed(markup)
    parser.close()
    return re.sub(r">\s+<", "><", "".join(parser.out).strip())


def _id(example: dict) -> str:
    return f"{example['example']}-{example['extension'] or example['section']}"


@pytest.mark.parametrize("example", SPEC, ids=_id)
def test_gfm_spec_examples(example: dict):
    assert normal(render.gfm(example["markdown"], SPEC_OPTIONS)) == normal(example["html"])


# Examples whose HTML survives the sanitiser unchanged: no raw HTML, no soft line break, no
# link scheme but http(s) and mailto (an ftp: link keeps its text and loses its href).
_PLAIN = [e for e in SPEC if "<" not in e["markdown"].replace("<http", "")
          and "ftp:" not in e["markdown"]
          and render.gfm(e["markdown"]) == render.gfm(e["markdown"], SPEC_OPTIONS)]


@pytest.mark.parametrize("example", _PLAIN, ids=_id)
def test_the_sanitiser_keeps_what_gfm_renders(example: dict):
    assert normal(render.markdown_to_html(example["markdown"])) == normal(example["html"])


def test_cmark_renders_as_cmarkgfm_does_with_or_without_freeing(monkeypatch):
    """The same HTML as cmarkgfm's own function, which the build used before (and which
    renders where cmark-gfm's freeing functions cannot be found)."""
    def rendered() -> list[str]:
        return [cmark.to_html(e["markdown"], options, render.EXTENSIONS)
                for e in SPEC for options in (render.MESSAGE, render.DOCUMENT)]
    theirs = [cmarkgfm.markdown_to_html_with_extensions(e["markdown"], options=options,
                                                        extensions=list(render.EXTENSIONS))
              for e in SPEC for options in (render.MESSAGE, render.DOCUMENT)]
    assert rendered() == theirs
    monkeypatch.setattr(cmark, "_FREEING", None)
    assert rendered() == theirs


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux's /proc")
def test_rendering_keeps_no_memory():
    """A build renders every text of the history in one process: cmarkgfm's own function
    kept about 240 KB of every 9 KB text it rendered (118 MiB here), which put the one-core
    build at 10,000 incidents over its 500 MiB target."""
    def resident() -> int:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    text = "\n".join(f"- step {n}: restarted **node {n}** behind [the balancer]"
                     f"(https://example.com/{n}) | `cmd {n}`" for n in range(100))
    render.gfm(text, render.DOCUMENT)
    before = resident()
    for _ in range(500):
        render.gfm(text, render.DOCUMENT)
    assert resident() - before < 20 * 2**20


def test_the_spec_examples_cover_every_enabled_extension():
    tested = {e["extension"] for e in SPEC} | {"tasklist"}  # the spec marks those "disabled"
    assert set(render.EXTENSIONS) <= tested
    assert len(_PLAIN) > 40


def test_a_line_break_in_a_message_is_a_line_break_on_the_page():
    html = render.markdown_to_html("We are investigating.\nNext update in 30 minutes.")
    assert normal(html) == "<p>We are investigating.<br>\nNext update in 30 minutes.</p>"


def test_a_postmortem_is_a_document_whose_wrapped_lines_join_as_on_github():
    text = "We restarted the\nservice."
    assert normal(render.markdown_to_html(text, document=True)) == \
        "<p>We restarted the\nservice.</p>"


def test_a_bare_url_is_a_link():
    html = render.markdown_to_html("Details at https://example.com/x and www.example.org.")
    assert '<a href="https://example.com/x" rel="noopener noreferrer nofollow">' in html
    assert '<a href="http://www.example.org"' in html


@pytest.mark.parametrize("text, shown", [
    ("Calls that use <Say> or <Play voice=\"x\"> fail.",
     'Calls that use <Say> or <Play voice="x"> fail.'),
    ("<Say>\nhello\n</Say>", "<Say>\nhello\n</Say>"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("a <iframe src=\"https://evil.example\"></iframe>",
     'a <iframe src="https://evil.example"></iframe>'),
    ("<input type=\"text\" value=\"x\">", '<input type="text" value="x">'),
])
def test_angle_bracket_text_that_is_not_allowed_html_shows_as_text(text: str, shown: str):
    html = render.markdown_to_html(text)
    assert render.markdown_to_text(text) == shown
    assert "<script" not in html and "<iframe" not in html and "<Say" not in html


def test_allowed_html_formats_and_loses_its_attributes_and_comments():
    html = render.markdown_to_html('<b onclick="x()">bold</b> <!-- internal --> <em>x</em>')
    assert normal(html) == "<p><b>bold</b><em>x</em></p>"


def test_images_are_never_shown():
    html = render.markdown_to_html('![pixel](https://t.example/p.png) <img src="x.png">')
    assert "<img" not in html and "t.example" not in html and "&lt;img" not in html


def test_gfm_only_constructs_render_as_github_shows_them():
    text = ("| Region | Status |\n|---|:-:|\n| eu | ~~down~~ up |\n\n"
            "- [x] failover\n- [ ] root cause\n\n1. first\n   - nested the GitHub way\n")
    assert normal(render.markdown_to_html(text)) == (
        '<table><thead><tr><th>Region</th><th align="center">Status</th></tr></thead>'
        '<tbody><tr><td>eu</td><td align="center"><del>down</del> up</td></tr></tbody></table>'
        '<ul><li><input checked="" disabled="" type="checkbox"> failover</li>'
        '<li><input disabled="" type="checkbox"> root cause</li></ul>'
        "<ol><li>first\n<ul><li>nested the GitHub way</li></ul></li></ol>")


# Words that are not HTML element names (an allowed tag is markup, not text).
_WORD = st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True).filter(
    lambda w: w.lower() not in render._KEPT_TAGS | {"input"})
_PIECE = st.one_of(_WORD, _WORD.map(lambda w: f"<{w}>"), _WORD.map(lambda w: f"</{w}>"),
                   st.sampled_from([" ", "\n", "\n\n", "*", "**", "_", "~~", "`", "- ", "1. ",
                                    "> ", "# ", "| ", " |\n|---|\n", "&", "\\", "[", "]", ")",
                                    "<", ">", '="', '"']))


# A code fence's line: what follows the fence is the language name, never shown.
_FENCE_INFO = re.compile(r"(?m)^( {0,3}(?:`{3,}|~{3,})).*$")


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECE, max_size=12).map("".join))
def test_no_word_of_a_message_is_dropped(text: str):
    """Every word shows, except the language name after a code fence (``~~~~python``), which
    GitHub does not show either."""
    shown = render.markdown_to_text(text)
    prose = _FENCE_INFO.sub("", text)
    for word in re.findall(r"[A-Za-z]+", prose):
        assert word in shown, (text, shown)


def test_a_task_list_keeps_its_state_in_plain_text_and_chat():
    text = "- [x] failover\n- [ ] root cause"
    assert render.markdown_to_text(text) == "[x] failover\n[ ] root cause"
    assert slack_mrkdwn(text) == "• [x] failover\n• [ ] root cause"
    assert chat_markdown(text) == "- [x] failover\n- [ ] root cause"
