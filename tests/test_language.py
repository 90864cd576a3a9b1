"""Plain-words checks: each fires on a bad example and stays quiet on a good one, through
``tidings check`` (warnings, errors with --strict) and ``tidings new/update``."""

from __future__ import annotations

import sys

import pytest
from conftest import DEMO_NOW, MINIMAL_CONFIG, REPO, copy_demo, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from tidings import language
from tidings.authoring import SHIPPED_TEMPLATES
from tidings.pipeline import load_project

NOW = "2026-11-23T15:00:00Z"
INCIDENT = """\
---
title: {title}
impact: major
components: [api]
---
{summary}
"""
UPDATE = """\
---
at: 2026-11-23T14:00:00Z
status: {status}
{extra}---
{message}
"""
GOOD_UPDATE = "Some API requests fail. We will post the next update within 30 minutes."


def incident(root_files: dict, *, title: str = "API errors", summary: str = "",
             message: str = GOOD_UPDATE, status: str = "resolved", extra: str = "") -> dict:
    folder = "incidents/2026/2026-11-23-api"
    return {**root_files,
            f"{folder}/incident.md": INCIDENT.format(title=title, summary=summary),
            f"{folder}/2026-11-23T140000Z-update.md": UPDATE.format(
                status=status, extra=extra, message=message)}


def warnings(root, *args: str) -> list[str]:
    result = run_cli("check", str(root), "--now", NOW, *args)
    return [line for line in result.output.splitlines() if ": warning: " in line]


UPDATE_FILE = "incidents/2026/2026-11-23-api/2026-11-23T140000Z-update.md"
INCIDENT_FILE = "incidents/2026/2026-11-23-api/incident.md"


def test_the_demo_content_and_the_shipped_templates_pass_with_no_warning(tmp_path):
    result = run_cli("check", str(REPO), "--now", NOW, "--strict")
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output
    root = copy_demo(tmp_path)
    for path in sorted(SHIPPED_TEMPLATES.glob("*.md")):
        made = run_cli("new", "-t", path.stem, "-c", "api", "--var", "provider=Example Cloud",
                       "--now", NOW, cwd=root)
        assert made.exit_code == 0, made.output
        assert "warning" not in made.output, (path.name, made.output)
    assert warnings(root) == []


@pytest.mark.parametrize(("bad", "good", "expected"), [
    ("We see elevated 5xx on the edge.", "Some requests fail with server errors.",
     f'{UPDATE_FILE}:5: warning: jargon: customers may not know "5xx"; write "server errors"'),
    ("Pods were OOM-killed.", "Some servers ran out of memory.",
     f'{UPDATE_FILE}:5: warning: jargon: customers may not know "Pods"; write "servers"'),
    ("The RCA follows.", "Our report on the cause follows.",
     f'{UPDATE_FILE}:5: warning: jargon: customers may not know "RCA"'),
])
def test_jargon_fires_with_a_plain_alternative_and_the_line(project, bad, good, expected):
    assert any(w.startswith(expected) for w in warnings(project(incident({}, message=bad))))
    assert warnings(project(incident({}, message=good))) == []


def test_jargon_matches_whole_words_in_any_case_and_ignores_code_and_links(project):
    message = ("Our podcast and tripod pages are fine; `k8s` in code is ignored,\n\n"
               "```\nOOM in a code block\n```\n\nas is [the guide](https://x.example/p99)."
               "\n\nBut K8S is jargon.")
    found = warnings(project(incident({}, message=message)))
    assert [w.split(": warning: ")[1][:40] for w in found] == [
        'jargon: customers may not know "K8S"; wr']
    assert found[0].startswith(f"{UPDATE_FILE}:13:")


@pytest.mark.parametrize(("message", "expected"), [
    # a letter that matches only ignoring case: "ſ" is "s", "K" (Kelvin) is "K"
    ("Our ſre team is on it.", '"ſre"; write "our operations team"'),
    ("The \u212a8s platform restarted.", '"\u212a8s"; write "our server platform"'),
    # any other letter outside ASCII in the text does not hide the ASCII terms
    ("Café menus and the pod restarted.", '"pod"; write "server"'),
])
def test_jargon_is_found_and_explained_in_text_beyond_ascii(project, message, expected):
    found = warnings(project(incident({}, message=message)))
    assert [w.split("customers may not know ")[1][:len(expected)] for w in found
            if "jargon" in w] == [expected]


def test_jargon_in_title_and_summary_points_at_their_lines(project):
    root = project(incident({}, title="Pods restarting", summary="Line one.\nA failover ran."))
    found = warnings(root)
    assert any(w.startswith(f'{INCIDENT_FILE}:2: warning: jargon: customers may not know '
                            '"Pods"') for w in found)
    assert any(w.startswith(f'{INCIDENT_FILE}:7: warning: jargon: customers may not know '
                            '"failover"; write "switch to a backup system"') for w in found)


def test_jargon_list_is_extended_and_reduced_in_tidings_yml(project):
    config = MINIMAL_CONFIG + ("language_checks:\n  jargon:\n    add: {LB: load balancer}\n"
                               "    remove: [pod, pods]\n")
    found = warnings(project(incident({}, message="A pod behind the LB restarted."), config))
    assert len(found) == 1 and 'customers may not know "LB"; write "load balancer"' in found[0]


@pytest.mark.parametrize(("bad", "what"), [
    ("Host 10.0.12.7 failed.", '"10.0.12.7" looks like an IP address'),
    ("The node db-prod-03 failed.", '"db-prod-03" looks like a server name'),
    ("See OPS-4521.", '"OPS-4521" looks like a ticket id'),
    ("The disk /var/lib/postgresql filled up.", '"/var/lib/postgresql" looks like a file path'),
    ("api.eu.internal was down.", '"api.eu.internal" looks like an internal host name'),
])
def test_internal_details_fire_and_plain_words_do_not(project, bad, what):
    found = warnings(project(incident({}, message=bad)))
    assert any(what in w and w.startswith(f"{UPDATE_FILE}:5:") for w in found), found
    plain = "One of our database servers failed; COVID-19 and SHA-256 are fine."
    assert warnings(project(incident({}, message=plain))) == []


def test_internal_detail_patterns_are_configurable(project):
    config = MINIMAL_CONFIG + ("language_checks:\n  internal_details:\n"
                               "    add: {customer id: 'cus_[a-z0-9]+'}\n"
                               "    remove: [IP address]\n")
    found = warnings(project(incident({}, message="Customer cus_8x2 on 10.0.0.1."), config))
    assert len(found) == 1 and '"cus_8x2" looks like a customer id' in found[0]


def test_hard_to_read_updates_and_long_sentences(project):
    dense = ("Intermittent authentication infrastructure degradation necessitated "
             "comprehensive administrative reconfiguration. Organisational responsibilities "
             "regarding infrastructural modernisation initiatives necessitate prioritisation. "
             "Consequently, operational characteristics remain unpredictable. Additional "
             "investigation continues. Notifications will follow when the next update is due.")
    found = warnings(project(incident({}, message=dense)))
    assert any("hard to read: the update's reading grade is" in w
               and w.startswith(f"{UPDATE_FILE}:5:") for w in found), found
    long = ("We will post the next update soon, and " + "we are still looking at it and "
            * 8 + "more.")
    found = warnings(project(incident({}, message=f"Short one.\n{long}")))
    assert len(found) == 1 and "hard to read: a sentence of 65 words (more than 40)" in found[0]
    assert found[0].startswith(f"{UPDATE_FILE}:6:")
    plain = ("Some customers cannot sign in. We found the cause: a certificate expired. We are "
             "putting a new one in place now. Sign-in should work again within the hour. "
             "We will post the next update within 30 minutes.")
    assert warnings(project(incident({}, message=plain))) == []


def test_readability_thresholds_are_configurable(project):
    config = MINIMAL_CONFIG + "language_checks:\n  readability: {max_sentence_words: 5}\n"
    found = warnings(project(incident({}, message="This one sentence has seven words."),
                             config))
    assert len(found) == 1 and "a sentence of 6 words (more than 5)" in found[0]


def test_an_open_incident_must_promise_its_next_update(project):
    quiet = "We are investigating."
    found = warnings(project(incident({}, message=quiet, status="investigating",
                                      extra="next_update: 2026-11-23T15:30:00Z\n")))
    assert found == []
    found = warnings(project(incident({}, message=quiet, status="investigating")))
    assert [w for w in found if "missing promise" in w] == [
        f"{UPDATE_FILE}:5: warning: missing promise: this update of an open incident does not "
        "say when the next update comes; add `next_update: 30m` to its front matter or write "
        'e.g. "We will post the next update within 30 minutes" (without one, customers are '
        "owed an update within 1 h)"]
    for words in ("We will post an update within 30 minutes.", "Next update at 16:00 UTC.",
                  "We will update this page in an hour."):
        found = warnings(project(incident({}, message=words, status="identified",
                                          extra="")), "--now", "2026-11-23T14:30:00Z")
        assert [w for w in found if "missing promise" in w] == [], words
    # a resolved incident owes no promise
    assert warnings(project(incident({}, message=quiet, status="resolved"))) == []


POSTMORTEM = "incidents/2026/2026-11-23-api/postmortem.md"
GOOD_POSTMORTEM = """\
---
published: 2026-11-24T10:00:00Z
---
## We are sorry

For an hour some API requests failed. We let you down.

## What happened

A database server lost its disk.

## How we fixed it

We moved the databases to a healthy server.

## What will prevent a repeat

Disks are now watched and replaced before they fail.
"""


def test_a_postmortem_needs_apology_account_fix_and_prevention(project):
    root = project(incident({POSTMORTEM: GOOD_POSTMORTEM}))
    assert warnings(root) == []
    bare = ("---\npublished: 2026-11-24T10:00:00Z\n---\n"
            "The cause: a database server lost its disk.\n")
    found = warnings(project(incident({POSTMORTEM: bare})))
    assert found == [f'{POSTMORTEM}:4: warning: postmortem shape: it lacks an apology ("## We '
                     'are sorry"), the fix ("## How we fixed it"), the prevention ("## What '
                     'will prevent a repeat"); a good postmortem apologises, explains what '
                     "happened, how it was fixed and what prevents a repeat"]


def test_a_scaffolded_postmortem_still_holding_its_hints_is_reported(tmp_path):
    root = copy_demo(tmp_path)
    made = run_cli("postmortem", "2026-09-30-dashboard-outage", "--now", NOW, cwd=root)
    assert made.exit_code == 0, made.output
    found = warnings(root)
    path = "incidents/2026/2026-09-30-dashboard-outage/postmortem.md"
    assert f'{path}:4: warning: postmortem shape: the section "We are sorry" still holds only ' \
           "the scaffold's hint; write it (the hint is not published)" in found
    assert len([w for w in found if "still holds only the scaffold's hint" in w]) == 4


def test_every_check_can_be_switched_off(project):
    message = "Pods on 10.0.0.1 failed."
    root = project(incident({}, message=message, status="investigating"))
    assert len(warnings(root)) == 3  # jargon, IP address, promise
    config = MINIMAL_CONFIG + ("language_checks:\n  jargon: false\n  internal_details: false\n"
                               "  promise: false\n")
    assert warnings(project(incident({}, message=message, status="investigating"), config)) == []
    config = MINIMAL_CONFIG + "language_checks: false\n"
    assert warnings(project(incident({}, message=message, status="investigating"), config)) == []


def test_only_recently_changed_incidents_are_checked_unless_configured(project):
    """Old text is not edited any more; a long or imported history is not re-checked."""
    root = project(incident({}, message="Elevated 5xx."))
    assert len(warnings(root)) == 1
    assert len(warnings(root, "--now", "2027-02-20T14:00:00Z")) == 1  # 89 days on: checked
    assert warnings(root, "--now", "2027-02-22T14:00:00Z") == []
    config = MINIMAL_CONFIG + "language_checks:\n  recent_days: false\n"
    root = project(incident({}, message="Elevated 5xx."), config)
    assert len(warnings(root, "--now", "2030-01-01T00:00:00Z")) == 1


def test_strict_turns_plain_words_warnings_into_errors(project):
    root = project(incident({}, message="Elevated 5xx."))
    assert run_cli("check", str(root), "--now", NOW).exit_code == 0
    strict = run_cli("check", str(root), "--now", NOW, "--strict")
    assert strict.exit_code == 1
    assert f'{UPDATE_FILE}:5: warning: jargon: customers may not know "5xx"' in strict.output
    assert "1 error(s), 0 warning(s)" in strict.output


def test_bad_language_settings_are_errors_with_their_lines(project):
    config = MINIMAL_CONFIG + ("language_checks:\n  jargn: {}\n  internal_details:\n"
                               "    add: {broken: '(unclosed'}\n  readability:\n"
                               "    max_grade: -3\n  jargon:\n    remove: [nonsense]\n")
    result = run_cli("check", str(project(incident({}), config)), "--now", NOW)
    assert result.exit_code == 1
    out = result.output
    assert 'tidings.yml:17: unknown key "jargn" in language_checks (did you mean "jargon"?)' \
        in out
    assert 'tidings.yml:19: internal_details: "(unclosed" is not a valid regular expression' in out
    assert "tidings.yml:21: readability: max_grade must be a positive number" in out
    assert 'tidings.yml:23: jargon: "nonsense" is not in the list' in out


def test_new_and_update_print_the_warnings_right_after_writing(project):
    root = project()
    made = run_cli("new", "Pods down", "-c", "api", "-m", "We are looking into it.", "--now",
                   NOW, cwd=root)
    assert made.exit_code == 0
    assert 'incident.md:2: warning: jargon: customers may not know "Pods"' in made.output
    assert "warning: missing promise" in made.output
    ref = next((root / "incidents").glob("*/*")).name
    later = "2026-11-23T15:10:00Z"
    updated = run_cli("update", ref, "-m", "Server 10.1.2.3 restarted. Next update in 30 min.",
                      "--now", later, cwd=root)
    assert updated.exit_code == 0
    assert 'warning: internal detail: "10.1.2.3" looks like an IP address' in updated.output
    assert "missing promise" not in updated.output.split("Open a pull request")[1]


def test_internal_incidents_are_not_customer_facing(project):
    """An incident only the internal site shows (``visibility: internal``) is not checked."""
    from tidings.config import SiteConfig
    from tidings.language import check_incident

    root = project(incident({}, message="Pods restarted."))
    loaded = load_project(root, DEMO_NOW)
    found = loaded.problems
    item = loaded.incidents[0]
    check_incident(loaded.config, item, DEMO_NOW, found)
    assert len(found.warnings) == 1
    item.visibility = "internal"  # the audiences feature's attribute
    before = len(found.warnings)
    check_incident(loaded.config, item, DEMO_NOW, found)
    assert len(found.warnings) == before
    assert isinstance(loaded.config, SiteConfig)


def test_the_checks_never_use_the_network(project):
    """textstat's syllable counts would download a dictionary; the grade used needs none."""
    events: list[str] = []
    sys.addaudithook(lambda event, args: events.append(event)
                     if event.startswith("socket.") else None)
    dense = "Comprehensive infrastructural reconfiguration necessitated prioritisation. " * 6
    found = warnings(project(incident({}, message=dense)))
    assert any("reading grade" in w for w in found)
    assert events == []


FIXTURES = REPO / "tests" / "fixtures"
# Every plain-words warning on the imported real corpus, each judged by hand (see
# documentation/communication.md, "How often the checks are wrong").
CORPUS_WARNINGS = {
    "statuspage": [
        # "We will continue to monitor to ensure a full recovery." promises no time: right
        ("2020-06-16-sms-delivery-delays-from-subset-of-twilio-short-r0f0vdz8vrgm/"
         "2020-06-16T190947Z-monitoring.md:10", "missing promise"),
        # "We are continuing to investigate this issue.": right
        ("2020-06-16-sms-delivery-delays-to-mozambique-movitel-4dtnnnnxnhn9/"
         "2020-06-16T210029Z-investigating.md:7", "missing promise"),
    ],
    "cstate": [
        # "the way our API instances handle Redis failover": right
        ("2018-04-13-unavailable-guilds-connection-issues/postmortem.md:4", "jargon"),
        # no apology and nothing on preventing a repeat: right
        ("2018-04-13-unavailable-guilds-connection-issues/postmortem.md:4", "postmortem shape"),
        # "A human has been alerted and will take action as soon as possible.": right
        ("2024-12-27-dns-resolution-api/2024-12-27T094400Z-investigating.md:5",
         "missing promise"),
    ],
}


def test_false_positives_on_the_imported_real_corpus(tmp_path):
    """The Statuspage fixtures and the cState example, imported as a company would."""
    sources = {"statuspage": sorted(str(p) for p in
                                    (FIXTURES / "statuspage-fixtures").glob("*.json")),
               "cstate": [str(FIXTURES / "cstate-example")]}
    for kind, paths in sources.items():
        into = tmp_path / kind
        into.mkdir()
        imported = run_cli("import", kind, *paths, "--into", str(into))
        assert imported.exit_code == 0, imported.output
        with (into / "tidings.yml").open("a", encoding="utf-8") as config:
            config.write("language_checks:\n  recent_days: false\n")  # years-old history
        found = [w for w in warnings(into)  # the plain-words ones, not cadence or config
                 if "update overdue" not in w and not w.startswith("tidings.yml:")]
        where_what = [(path.split("/", 2)[2], message.split(":")[0]) for path, message in
                      (w.split(": warning: ") for w in found)]
        assert where_what == CORPUS_WARNINGS[kind], found


def test_warnings_on_githubs_real_status_history():
    """GitHub's real updates (no importer reads Atom): the figures of the documentation."""
    import html
    import re
    from collections import Counter
    from datetime import timedelta
    from pathlib import Path

    import feedparser
    from tidings.config import SiteConfig
    from tidings.language import check_incident
    from tidings.model import Incident, Update
    from tidings.problems import Problems

    feed = feedparser.parse(str(FIXTURES / "github-statuses" / "github-status-history.atom"))
    problems, messages = Problems(root=Path("/")), 0
    for number, entry in enumerate(feed.entries):
        found = re.findall(r"<strong>([^<]+)</strong>\s*-\s*(.*?)</p>",
                           entry.content[0].value, re.S)
        source = Path(f"/github/{number}/incident.md")
        incident = Incident(str(number), "incident", entry.title, "minor", [], "", source)
        for index, (status, body) in enumerate(reversed(found)):  # the feed is newest first
            text = html.unescape(re.sub(r"<[^>]+>", "", body)).strip()
            incident.updates.append(Update(
                str(index), DEMO_NOW + timedelta(minutes=index), status.lower(), text, {}, None,
                source.with_name(f"{index}.md"), 1))
        messages += len(found)
        check_incident(SiteConfig(), incident, DEMO_NOW + timedelta(days=1), problems)
    kinds = Counter("grade" if "reading grade" in p.message
                    else "sentence" if "a sentence of" in p.message else p.message.split(":")[0]
                    for p in problems.warnings)
    assert (len(feed.entries), messages) == (25, 178)
    assert kinds == {"jargon": 6, "sentence": 6, "grade": 3}


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(
    ["We", "restarted", "the", "infrastructural", "servers", "it's", "API", "5xx", "é", "日本",
     "x_y", "3.5", "e-mail", ".", "!", "?", "...", ",", ";", "'", '"', "(", ")", " ", "  ",
     "\n", "\n\n", "\t", "-", "—", "…", "a.b", "U.S.", "Mr.", "ok!?"]), max_size=80).map("".join))
def test_the_reading_grade_is_textstats(text: str):
    assert language.reading_grade(text) == language.reading_grade_by_textstat(text)


def test_the_reading_grade_of_real_updates_is_textstats():
    texts = [u.message for i in load_project(REPO, DEMO_NOW).incidents for u in i.updates]
    texts.append("Comprehensive infrastructural reconfiguration necessitated prioritisation. " * 6)
    for text in texts:
        assert language.reading_grade(text) == language.reading_grade_by_textstat(text), text
