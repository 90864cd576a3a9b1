"""The closed sets and their palette: one home, typed, and every other place says the same.

tidings.css keeps its palette as written (a static theme asset), so these tests hold it equal
to vocabulary.py; embed.js, badges, charts and chat take theirs from vocabulary.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mypy import api as mypy_api
from tidings import vocabulary as v
from tidings.embed import MARKER, embed_script
from tidings.page_html import THEME_DIR

CSS = (THEME_DIR / "assets" / "tidings" / "tidings.css").read_text(encoding="utf-8")
PACKAGE = Path(v.__file__).parent


def css_rules() -> list[tuple[str, dict[str, str]]]:
    """(selector, {property: value}) for each rule of tidings.css, comments removed."""
    text = re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = dict(
            (name.strip(), value.strip().removesuffix("!important").strip())
            for name, _, value in (d.partition(":") for d in body.split(";")) if value)
        rules.append((" ".join(selector.split()), declarations))
    return rules


def custom_properties(selector: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for rule, declarations in css_rules():
        if rule == selector:
            found.update({k: val for k, val in declarations.items() if k.startswith("--")})
    return found


def test_the_css_palette_is_the_vocabulary_palette():
    light, dark = custom_properties(":root"), custom_properties('[data-md-color-scheme="slate"]')
    for status, (day, night) in v.STATUS_COLOURS.items():
        assert light[f"--tidings-{status}"] == day, status
        assert dark[f"--tidings-{status}"] == night, status
    assert (light["--tidings-nodata"], dark["--tidings-nodata"]) == v.NODATA_COLOURS
    for level, fill in v.INDICATOR_FILLS.items():
        assert light[f"--tidings-fill-{level}"] == fill, level


def test_each_status_dot_and_bar_takes_its_tone():
    backgrounds = {}
    for selector, declarations in css_rules():
        for part in selector.split(","):
            if (m := re.fullmatch(r"\.tidings-(status|bar)--([a-z_]+)(::before)?", part.strip())):
                backgrounds[(m.group(1), m.group(2))] = declarations.get("background")
    for status in v.COMPONENT_STATUSES:
        assert backgrounds[("status", status)] == f"var(--tidings-{status})"
        assert backgrounds[("bar", status)] == f"var(--tidings-{status})"
    for status, tone in v.STATUS_TONE.items():
        assert backgrounds[("status", status)] == f"var(--tidings-{tone})", status
    for level in v.INDICATORS:
        selector = f".md-typeset .tidings-banner--{level}"
        if level != "none":  # the banner's own rule fills "none"
            assert dict(css_rules())[selector]["background"] == f"var(--tidings-fill-{level})"


def test_embed_js_is_written_with_the_vocabulary_and_has_no_palette_of_its_own():
    source = (PACKAGE / "embed.js").read_text(encoding="utf-8")
    assert source.count(MARKER) == 1
    assert not re.search(r"#[0-9a-fA-F]{6}\b", source), "colours come from vocabulary.py"
    served = embed_script().decode()
    tables = dict(re.findall(r"^  var ([A-Z_]+) = (\{.*\});$", served, flags=re.M))
    assert json.loads(tables["COLOURS"]) == v.INDICATOR_FILLS
    assert json.loads(tables["STATUS_WORDS"]) == v.STATUS_LABELS
    assert list(json.loads(tables["IMPACT_RANK"])) == list(v.IMPACTS)
    assert set(json.loads(tables["CLOSED"])) == {*v.CLOSED_STATUSES, "postmortem"}
    assert list(json.loads(tables["ACTIVE_MAINTENANCE"])) == ["in_progress", "verifying"]


def test_no_module_but_the_vocabulary_writes_a_colour_of_a_status():
    """Colours of statuses live in vocabulary.py only (the CSS holds the same, tested above)."""
    # the plugin's page renderer: the dev server's error banner
    allowed = {"vocabulary.py", "plugin/page_renderer.py"}
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).as_posix() not in allowed:
            colours = re.findall(r"#[0-9a-fA-F]{6}\b|0x[0-9A-F]{6}\b", path.read_text())
            assert colours in ([], ["#555555"], ["#ffffff"], ["#555555", "#ffffff"]), path


def test_every_table_covers_its_whole_set():
    assert set(v.COMPONENT_STATUS_LABELS) == set(v.COMPONENT_STATUS_EXPLAINED) \
        == set(v.STATUS_COLOURS) == set(v.STATUS_INDICATOR) == set(v.COMPONENT_STATUSES)
    updates = {*v.INCIDENT_STATUSES, *v.MAINTENANCE_STATUSES}
    assert set(v.STATUS_EXPLAINED) == set(v.STATUS_TONE) == updates
    assert set(v.STATUS_LABELS) == updates | {"postmortem"}
    assert set(v.IMPACT_LABELS) == set(v.DEFAULT_SEVERITY_TEXT) == set(v.INDICATOR_DESCRIPTIONS) \
        == set(v.INDICATOR_FILLS) == set(v.INDICATOR_RANK) == set(v.IMPACT_DEFAULT_STATUS) \
        == set(v.INDICATORS)
    assert set(v.ROLE_LABELS) == set(v.ROLES)
    # the severity order and the indicator mapping agree: a worse status, a worse indicator
    ranks = [v.INDICATOR_RANK[v.STATUS_INDICATOR[s]] for s in v.COMPONENT_STATUSES]
    assert ranks == sorted(ranks)


def test_member_and_lookup_read_words_from_outside():
    assert v.member("partial_outage", v.COMPONENT_STATUSES) == "partial_outage"
    assert v.member("partial outage", v.COMPONENT_STATUSES) is None
    assert v.member(None, v.ROLES) is None
    assert v.lookup(v.STATUS_LABELS, "in_progress") == "In progress"
    assert v.lookup(v.STATUS_LABELS, "Resolved") is None
    assert v.worst(["degraded_performance", "major_outage", "operational"]) == "major_outage"
    assert v.worst([]) == "operational"
    assert v.status_fill("partial_outage") == v.INDICATOR_FILLS["major"]


MISSPELT = {  # a line with a misspelt status -> what mypy says about it
    'status: ComponentStatus = "major_outgae"': "Incompatible types in assignment",
    'snapshot.maintenance("schedueld")': 'incompatible type "Literal[\'schedueld\']"',
    'label = STATUS_LABELS["resovled"]': "Invalid index type",
}


def test_mypy_catches_a_misspelt_status(tmp_path):
    """The sets are Literal types: a misspelt status is a type error, not a silent miss."""
    snippet = tmp_path / "snippet.py"
    body = "".join(f"    {line}\n" for line in MISSPELT)
    snippet.write_text("from tidings.status import Snapshot\n"
                       "from tidings.vocabulary import STATUS_LABELS, ComponentStatus\n\n\n"
                       f"def check(snapshot: Snapshot) -> None:\n{body}")
    out, _err, status = mypy_api.run([str(snippet), "--no-incremental", "--follow-imports=silent",
                                      "--no-error-summary", "--cache-dir", str(tmp_path / "c")])
    assert status == 1, out
    for number, (line, message) in enumerate(MISSPELT.items(), start=6):
        # each misspelling is reported on its own line
        assert any(row.startswith(f"{snippet}:{number}: error:") and message in row
                   for row in out.splitlines()), (line, out)
