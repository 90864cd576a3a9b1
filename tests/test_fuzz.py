"""Property: whatever bytes or front matter an author writes, `check` reports, never crashes."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import yaml
from conftest import MINIMAL_CONFIG, run_cli, write_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LINE = re.compile(r"^[^:]+:\d+: .+")
KEYS = ["title", "type", "impact", "components", "scheduled_for", "scheduled_until", "at",
        "status", "next_update", "published", "titel", "api", "web"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
    st.sampled_from(["investigating", "resolved", "maintenance", "major", "api", "30m",
                     "2026-11-23T14:00:00Z", "2026-11-23T14:00", "2026-13-45", "partial_outage",
                     "in_progress", "scheduled", "-5m", "0m"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5),
                                                 inner, max_size=3)), max_leaves=6)
front_matter = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)


def as_file(meta: dict, body: str) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body


file_contents = st.one_of(
    st.binary(max_size=200),
    st.builds(as_file, front_matter, st.text(max_size=40)),
    st.builds(lambda b: ("---\n" + b + "\n---\nx\n").encode("utf-8", "surrogatepass"),
              st.text(max_size=60)),
)
names = st.sampled_from(["incident.md", "postmortem.md", "a.md", "b.md", "2026-11-23T1400Z.md"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.dictionaries(st.tuples(st.sampled_from(["x", "y"]), names), file_contents,
                             min_size=1, max_size=6),
       config_extra=st.sampled_from(["", "timezone: Europe/Berlin\n", "update_cadence: 0m\n",
                                     "timezone: Nowhere/City\n"]))
def test_check_never_crashes(files, config_extra):
    root = Path(tempfile.mkdtemp())
    try:
        write_files(root, {"tidings.yml": MINIMAL_CONFIG + config_extra})
        for (folder, name), content in files.items():
            path = root / "incidents" / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes)
                             else content.encode("utf-8", "surrogatepass"))
        result = run_cli("check", str(root), "--now", "2026-11-23T15:00:00Z")
        assert result.exit_code in (0, 1), result.output
        for line in result.stdout.splitlines():
            assert LINE.match(line), line
    finally:
        shutil.rmtree(root)


@settings(max_examples=100, deadline=None)
@given(config=st.one_of(st.binary(max_size=200),
                        st.builds(lambda d: yaml.safe_dump(d).encode(), front_matter)))
def test_configuration_never_crashes(config):
    root = Path(tempfile.mkdtemp())
    try:
        (root / "incidents").mkdir()
        (root / "tidings.yml").write_bytes(config)
        result = run_cli("check", str(root), "--now", "2026-11-23T15:00:00Z")
        assert result.exit_code == 1
        assert all(LINE.match(line) for line in result.stdout.splitlines())
    finally:
        shutil.rmtree(root)
