"""`tidings serve`'s change detection (tidings/incremental.py) on a synthetic history: after
each kind of edit, the incremental rebuild's outputs equal a full build's, every page whose
content differs from the last build is among those it renders again, and an edit to one old
incident renders only a few pages. What it cannot account for asks for the full build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import load_benchmark
from tidings.incremental import Built, Changes, FullRebuild, rebuild
from tidings.model import Incident
from tidings.pages import SitePage
from tidings.pipeline import Build, load_project

synthetic = load_benchmark("synthetic")
NOW = synthetic.NOW


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("history") / "site"
    synthetic.write_site(root, 120)
    return root


@pytest.fixture
def site(pristine: Path, tmp_path: Path) -> tuple[Path, Built]:
    root = tmp_path / "site"
    shutil.copytree(pristine, root)
    return root, Built.of(Build(root, NOW), load_project(root, NOW))


def shown(page: SitePage) -> tuple:
    """Everything a page's HTML comes from."""
    return (page.title, page.template, page.description, page.feeds, page.edit_path,
            page.nav_title, page.markdown, page.context())


def rebuilt(root: Path, before: Built, paths: list[Path]) -> Changes:
    """The incremental rebuild, checked against a full build of the same files."""
    changes = rebuild(before, paths)
    outputs, removed_outputs = changes.outputs()
    full = Built.of(Build(root, NOW), load_project(root, NOW))
    assert changes.built.outputs == full.outputs
    assert [p.url for p in changes.built.site.pages] == [p.url for p in full.site.pages]
    old = {p.url: p for p in before.site.pages}
    rendered = {p.url for p in changes.render}
    differing = [p.url for p in full.site.pages
                 if p.url not in old or shown(old[p.url]) != shown(p)]
    assert set(differing) <= rendered, set(differing) - rendered
    assert {p.url for p in changes.removed} == set(old) - {p.url for p in full.site.pages}
    assert set(outputs) == {p for p, b in full.outputs.items() if before.outputs.get(p) != b}
    assert removed_outputs == sorted(set(before.outputs) - set(full.outputs))
    return changes


def with_line(path: Path, key: str, line: str) -> str:
    """The file's text with the front matter's ``key`` (and its indented or listed values)
    replaced by ``line``."""
    lines = path.read_text().splitlines(keepends=True)
    start = next(n for n, text in enumerate(lines) if text.startswith(key))
    end = start + 1
    while lines[end].startswith(("  ", "- ")):
        end += 1
    return "".join([*lines[:start], line + "\n", *lines[end:]])


def resolved_incident(built: Built, postmortem: bool | None = None) -> Incident:
    """An old resolved incident with three updates or more, from the middle of the history."""
    found = [i for i in built.project.incidents if not i.is_maintenance
             and len(i.updates) >= 3 and i.updates[-1].status == "resolved"
             and (postmortem is None or (i.postmortem is not None) == postmortem)]
    return found[len(found) // 2]


def test_editing_an_update_renders_only_the_pages_that_show_it(site):
    root, before = site
    incident = resolved_incident(before)
    update = incident.updates[1].source
    update.write_text(update.read_text().rstrip() + " A sentence added in review.\n")
    changes = rebuilt(root, before, [update])
    rendered = {p.url for p in changes.render}
    assert f"incidents/{incident.id}/" in rendered
    assert not any(u.startswith("incidents/") and incident.id not in u for u in rendered)
    assert len(rendered) < 20, rendered
    assert not changes.pages_listed


def test_adding_and_deleting_an_update(site):
    root, before = site
    incident = resolved_incident(before)
    first, second = incident.updates[0], incident.updates[1]
    at = first.at + (second.at - first.at) / 2
    added = incident.folder / f"{at:%Y-%m-%dT%H%M%SZ}-identified.md"
    added.write_text(f"---\nat: {at:%Y-%m-%dT%H:%M:%SZ}\nstatus: identified\n---\n"
                     "We found the cause.\n")
    changes = rebuilt(root, before, [added])
    assert f"incidents/{incident.id}/" in {p.url for p in changes.render}
    second.source.unlink()
    rebuilt(root, changes.built, [second.source])


def test_an_edit_that_moves_an_incident_in_the_history(site):
    root, before = site
    incident = resolved_incident(before)
    first = incident.updates[0]
    moved = first.at.replace(year=first.at.year - 1)
    first.source.write_text(with_line(first.source, "at:", f"at: {moved:%Y-%m-%dT%H:%M:%SZ}"))
    changes = rebuilt(root, before, [first.source])
    assert sum(p.url.startswith("history/") for p in changes.render) > 1


def test_a_postmortem_published(site):
    root, before = site
    incident = resolved_incident(before, postmortem=False)
    path = incident.folder / "postmortem.md"
    path.write_text(f"---\npublished: {incident.updates[-1].at:%Y-%m-%dT%H:%M:%SZ}\n---\n"
                    "We are sorry. A bad deploy; we rolled it back and now canary every one.\n")
    changes = rebuilt(root, before, [path])
    rendered = {p.url for p in changes.render}
    assert f"incidents/{incident.id}/postmortem/" in rendered
    assert "postmortems/" in rendered
    assert changes.pages_listed


def test_an_incidents_component_changed(site):
    root, before = site
    incident = resolved_incident(before)
    source = incident.source
    other = next(c.id for c in before.project.config.components
                 if c.id not in incident.affected)
    source.write_text(with_line(source, "components:", f"components: [{other}]"))
    changes = rebuilt(root, before, [source])
    rendered = {p.url for p in changes.render}
    assert f"components/{other}/" in rendered
    for cid in incident.components:
        assert f"components/{cid}/" in rendered


def test_a_new_and_a_deleted_incident(site):
    root, before = site
    incident = resolved_incident(before)
    copy = incident.folder.with_name(incident.folder.name + "-again")
    shutil.copytree(incident.folder, copy)
    changes = rebuilt(root, before, [copy, *copy.iterdir()])
    assert f"incidents/{copy.name}/" in {p.url for p in changes.render}
    assert changes.pages_listed
    shutil.rmtree(copy)
    gone = rebuilt(root, changes.built, [copy])
    assert f"incidents/{copy.name}/" in {p.url for p in gone.removed}


def test_what_it_cannot_account_for_needs_the_full_build(site):
    root, before = site
    with pytest.raises(FullRebuild):
        rebuild(before, [root / "tidings.yml"])
    incident = resolved_incident(before)
    update = incident.updates[1].source
    update.write_text(update.read_text().replace("status:", "status: resolvd\nx:", 1))
    with pytest.raises(FullRebuild, match="content errors"):
        rebuild(before, [update])
    stray = incident.folder.parent / "notes.md"
    stray.write_text("not in an incident folder\n")
    with pytest.raises(FullRebuild, match="not in an incident folder"):
        rebuild(before, [stray])


def test_resolving_the_open_incident_changes_every_page(site):
    """The overall status is on every page: the full build renders them all."""
    root, before = site
    (open_one,) = [i for i in before.snapshot.incidents
                   if before.snapshot.state(i).is_open and not i.is_maintenance]
    resolved = open_one.folder / "2026-11-23T145900Z-resolved.md"
    resolved.write_text("---\nat: 2026-11-23T14:59:00Z\nstatus: resolved\n---\nFixed.\n")
    with pytest.raises(FullRebuild, match="every page"):
        rebuild(before, [resolved])


def test_an_update_written_after_the_sessions_time_moves_the_time(site):
    root, before = site
    incident = resolved_incident(before)
    later = incident.folder / "2026-11-23T153000Z-update.md"
    later.write_text("---\nat: 2026-11-23T15:30:00Z\nstatus: resolved\n---\nStill fine.\n")
    with pytest.raises(FullRebuild) as caught:
        rebuild(before, [later], follow_clock=True)
    assert caught.value.advance_clock
    with pytest.raises(FullRebuild, match="content errors"):  # --now: a date after it
        rebuild(before, [later])


def test_a_file_saved_unchanged_renders_nothing(site):
    root, before = site
    update = resolved_incident(before).updates[1].source
    swap = update.with_name("." + update.name + ".swp")
    swap.write_text("an editor's swap file")
    update.write_text(update.read_text())
    changes = rebuilt(root, before, [update, swap])
    assert changes.render == [] and changes.removed == []
    assert changes.outputs() == ({}, [])


def test_folders_without_content_yet_and_folders_inside_an_incident(site):
    root, before = site
    empty = root / "incidents/2026/2026-12-01-new-incident"
    empty.mkdir(parents=True)
    assert rebuilt(root, before, [empty]).render == []  # `tidings new` writes its files next
    nested = resolved_incident(before).folder / "notes"
    nested.mkdir()
    with pytest.raises(FullRebuild, match="content errors"):  # the full build reports it
        rebuild(before, [nested])
