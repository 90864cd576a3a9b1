"""Property: what `tidings check` accepts, `tidings build` builds (a real MkDocs build).

Generated content mixes the plausible with the hostile: control characters and bidirectional
controls in titles, messages and folder names, timestamps from year 1 to 9999 in any offset,
deeply nested lists and brackets, long runs of openers. Each example runs the real CLI; a
build takes about two seconds, so the default is a modest number of examples:
TIDINGS_PROPERTY_EXAMPLES=200 runs it longer.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from tests.conftest import MINIMAL_CONFIG, run_cli
from tests.test_build_cleanup import MKDOCS

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
EXAMPLES = int(os.environ.get("TIDINGS_PROPERTY_EXAMPLES", "12"))

hostile_chars = st.sampled_from(["\x1b[31m", "\x07", "\x00", "\x7f", "\u202e", "\u2028",
                                 "\ufeff", "\x85", "\ufffe", "\r", "\t", "<", "&", "]]>"])
texts = st.lists(st.one_of(st.text(max_size=12), hostile_chars), max_size=6).map("".join)


def mostly(likely: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """``likely`` nine times in ten: most examples pass check, so most reach the build."""
    return st.integers(0, 9).flatmap(lambda n: rare if n == 0 else likely)


def nested_list(depth: int) -> str:
    return "\n".join("    " * i + "- item" for i in range(depth))


def brackets(count: int) -> str:
    return "[" * count + "x" + "]" * count


plain = st.sampled_from(["Plain words.", "**bold** and [a link](https://example.com)",
                         "```\ncode\n```", "| a | b |\n|---|---|\n| 1 | 2 |",
                         "- a\n    - b\n        - c", "<b>raw</b> & a < b"])
# Hostile pieces are appended to plausible text, so that many examples pass check and build.
markdown = mostly(plain, st.tuples(plain, st.one_of(
    texts,
    st.integers(1, 60).map(nested_list),
    st.integers(1, 3000).map(brackets),
    st.integers(1, 3000).map(lambda n: "<a " * n),
    st.integers(1, 60).map(lambda n: "> " * n + "quote"),
)).map("\n\n".join))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
extreme_times = st.builds(lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
                          st.datetimes(min_value=datetime(1, 1, 2),
                                       max_value=datetime(9999, 12, 30)), offsets)
recent_minutes = st.integers(-14 * 24 * 60, 30 * 24 * 60)  # before now (after, for windows)


def minutes_ago(minutes: int) -> str:
    return (NOW - timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


times = mostly(st.integers(0, 30 * 24 * 60).map(minutes_ago), extreme_times)
folder_names = mostly(st.sampled_from(["2026-11-23-api", "API", "a.b_c", "x" * 100, "api"]),
                      st.text(min_size=1, max_size=10).filter(
                          lambda s: "/" not in s and "\x00" not in s and s not in (".", "..")))


def yaml_text(value: str) -> str:
    """A YAML double-quoted scalar holding ``value`` (escapes, so control characters reach
    the loader as characters, as a careful editor's file would have them)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\U{ord(c):08x}" for c in escaped) + '"'


@st.composite
def incidents(draw) -> dict[str, str]:
    folder = f"incidents/{draw(folder_names)}"
    maintenance = draw(st.booleans())
    title = draw(mostly(st.sampled_from(["API errors", "Ünïcode – title <b>"]), texts))
    head = f"---\ntitle: {yaml_text(title or 'Title')}\ncomponents: [api]\n"
    if maintenance:
        start = draw(recent_minutes)
        window = draw(mostly(st.tuples(st.just(minutes_ago(start)),
                                       st.integers(1, 600).map(lambda m: minutes_ago(start - m))),
                             st.tuples(times, times)))
        head += f"type: maintenance\nscheduled_for: {window[0]}\nscheduled_until: {window[1]}\n"
    files = {f"{folder}/incident.md": head + "---\n" + draw(markdown) + "\n"}
    status = "completed" if maintenance else draw(st.sampled_from(["investigating", "resolved"]))
    for number in range(draw(st.integers(0 if maintenance else 1, 2))):
        files[f"{folder}/u{number}.md"] = (f"---\nat: {draw(times)}\nstatus: {status}\n---\n"
                                           + draw(markdown) + "\n")
    return files


# No shrinking: with a build per step it takes minutes; the failing example is printed whole.
@settings(max_examples=EXAMPLES, deadline=None,
          phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(content=st.lists(incidents(), min_size=1, max_size=2))
def test_what_check_accepts_the_build_builds(content):
    root = Path(tempfile.mkdtemp(prefix="tidings-property-"))
    try:
        files = {"tidings.yml": MINIMAL_CONFIG, "mkdocs.yml": MKDOCS, "docs/.keep": ""}
        for incident in content:
            files.update(incident)
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8", "surrogatepass"))
        now = NOW.isoformat()
        check = run_cli("check", str(root), "--now", now)
        assert check.exit_code in (0, 1), check.output
        event("accepted by check, built" if check.exit_code == 0 else "refused by check")
        if check.exit_code == 0:
            build = run_cli_build(root, now)
            assert build.exit_code == 0, build.output
            assert (root / "site" / "index.html").is_file()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_cli_build(root: Path, now: str):
    """The real `tidings build` (MkDocs in a child process), from the repository's folder."""
    return run_cli("build", "--now", now, cwd=root)
