"""`tidings check --cache`: a second check reads only the incident folders that changed, and
reports exactly what a check without the cache reports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, load_benchmark, run_cli
from test_validation import INCIDENT, NOW, RESOLVED, UPDATE
from tidings import check_cache, loader, parallel
from tidings.pipeline import Build

FOLDERS = [f"incidents/2026/2026-11-2{n}-api" for n in range(1, 4)]


@pytest.fixture(autouse=True)
def cache_folder(monkeypatch, tmp_path_factory) -> Path:
    """Each test keeps its own cache."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv(check_cache.ENVIRONMENT, str(folder))
    return folder


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The incident folders read from their files (not taken from the cache), in order."""
    read: list[str] = []
    original = loader._FolderReader.read

    def counted(self):
        read.append(self.folder.name)
        return original(self)

    monkeypatch.setattr(loader._FolderReader, "read", counted)
    return read


@pytest.fixture
def settled(monkeypatch):
    """Files written by the test count as settled at once (instead of after two seconds)."""
    monkeypatch.setattr(check_cache, "RACY_NS", 0)


@pytest.fixture
def history(project) -> Path:
    """Three incidents: one fine, one with an unknown component, one with a missing status."""
    files = {}
    for folder in FOLDERS:
        files |= {f"{folder}/incident.md": INCIDENT, f"{folder}/a.md": UPDATE,
                  f"{folder}/b.md": RESOLVED}
    files[f"{FOLDERS[1]}/a.md"] = UPDATE.replace("api: partial", "apii: partial")
    files[f"{FOLDERS[2]}/b.md"] = RESOLVED.replace("status: resolved\n", "")
    return project(files)


def check(root: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = run_cli("check", str(root), "--now", NOW, *extra, env=env)
    return result.exit_code, result.stdout + result.stderr


def test_a_second_check_reads_only_what_changed_and_reports_the_same(history, reads, settled):
    first = check(history, "--no-cache")
    assert first[0] == 1 and "apii" in first[1] and 'missing required key "status"' in first[1]
    assert check(history, "--cache") == first
    assert len(reads) == 6  # three for each check: the first with the cache kept them
    reads.clear()
    assert check(history, "--cache") == first
    assert reads == []

    (history / FOLDERS[0] / "b.md").write_text(RESOLVED.replace("resolved", "resolvd"))
    code, output = check(history, "--cache")
    assert reads == [Path(FOLDERS[0]).name]
    assert code == 1 and 'status "resolvd" is not allowed' in output
    assert check(history, "--no-cache") == (code, output)


def test_a_file_added_renamed_or_removed_is_seen(history, reads, settled):
    check(history, "--cache")
    folder = history / FOLDERS[1]
    (folder / "a.md").rename(folder / "c.md")
    os.remove(history / FOLDERS[2] / "b.md")
    (history / FOLDERS[0] / "c.md").write_text(UPDATE.replace("14:00", "14:10"))
    reads.clear()
    assert check(history, "--cache") == check(history, "--no-cache")
    assert sorted(reads[:3]) == sorted(Path(f).name for f in FOLDERS)


def test_a_removed_folder_is_gone_from_the_report(history, settled):
    check(history, "--cache")
    for name in ("incident.md", "a.md", "b.md"):
        os.remove(history / FOLDERS[1] / name)
    os.rmdir(history / FOLDERS[1])
    code, output = check(history, "--cache")
    assert "apii" not in output
    assert (code, output) == check(history, "--no-cache")


def test_a_changed_configuration_reads_everything_again(history, reads, settled):
    check(history, "--cache")
    (history / "tidings.yml").write_text(MINIMAL_CONFIG.replace("  - id: api\n", "  - id: apx\n"))
    reads.clear()
    code, output = check(history, "--cache")
    assert len(reads) == 3
    assert 'unknown component "api"' in output
    assert (code, output) == check(history, "--no-cache")


def test_files_changed_just_now_are_never_kept(history, reads):
    """An edit within the same tick of the file system's clock would leave a file's times as
    they were: files younger than two seconds are read again every time."""
    check(history, "--cache")
    reads.clear()
    check(history, "--cache")
    assert len(reads) == 3


def test_a_corrupt_cache_is_read_past(history, reads, settled, cache_folder):
    expected = check(history, "--no-cache")
    check(history, "--cache")
    [kept] = cache_folder.glob("check-*.pickle")
    for garbage in (b"", b"not a pickle", kept.read_bytes()[:100]):
        kept.write_bytes(garbage)
        reads.clear()
        assert check(history, "--cache") == expected
        assert len(reads) == 3


def test_a_cache_that_cannot_be_written_changes_nothing(history, tmp_path_factory):
    blocked = tmp_path_factory.mktemp("blocked") / "a-file"
    blocked.write_text("not a folder")
    env = {check_cache.ENVIRONMENT: str(blocked)}
    assert check(history, "--cache", env=env) == check(history, "--no-cache", env=env)


def test_the_cache_is_kept_outside_the_repository(history, cache_folder, settled):
    before = sorted(history.rglob("*"))
    check(history, "--cache")
    assert sorted(history.rglob("*")) == before
    assert [p.name.startswith("check-") for p in cache_folder.iterdir()] == [True]


def test_in_ci_no_cache_is_kept_unless_asked(history, cache_folder, settled):
    check(history, env={"CI": "true"})
    assert list(cache_folder.iterdir()) == []
    check(history, "--cache", env={"CI": "true"})
    assert len(list(cache_folder.iterdir())) == 1


def test_outside_ci_the_cache_is_on(history, cache_folder, reads, settled):
    check(history, env={"CI": ""})
    reads.clear()
    check(history, env={"CI": "false"})
    assert reads == []


def test_a_partly_kept_history_read_on_several_cores_is_the_same(tmp_path, monkeypatch, settled):
    synthetic = load_benchmark("synthetic")
    root = tmp_path / "site"
    entries = synthetic.write_site(root, 150)
    (root / "incidents" / entries[20].id / "2020-01-01T000000Z-oops.md").write_text(
        "---\nat: nope\nstatus: investigating\n---\nx\n")
    Build(root, synthetic.NOW, cache=True).checked()
    for entry in entries[::3]:  # a third of the folders change: read on three "cores"
        changed = root / "incidents" / entry.id / "incident.md"
        changed.write_text(changed.read_text().replace("title: ", "title: Changed ", 1))
    monkeypatch.setattr(loader, "PARALLEL_FOLDERS", 10)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 3)
    assert parallel.processes(50, loader.PARALLEL_FOLDERS) == 3
    several = Build(root, synthetic.NOW, cache=True).checked()
    one = Build(root, synthetic.NOW).checked()
    assert several.incidents == one.incidents
    assert several.problems.items == one.problems.items
    assert len(one.problems.errors) == 1


def test_a_linked_file_is_read_again_when_its_target_changes(history, reads, settled):
    """A link inside the repository is read as its target: the target's edits count."""
    shared = history / "shared-update.md"
    shared.write_text(RESOLVED)
    linked = history / FOLDERS[0] / "b.md"
    linked.unlink()
    linked.symlink_to(shared)
    first = check(history, "--cache")
    shared.write_text(RESOLVED.replace("resolved", "resolvd"))
    reads.clear()
    code, output = check(history, "--cache")
    assert reads == [Path(FOLDERS[0]).name]
    assert 'status "resolvd" is not allowed' in output and (code, output) != first
