"""Hostile and careless input through `tidings check`: each is a `path:line` problem (never a
crash, a hang or a silent choice), in bounded time, and the limits are the documented ones."""

from __future__ import annotations

import itertools
import os
import re
import time
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, run_cli
from test_validation import DIR, INCIDENT, NOW, RESOLVED, UPDATE, check
from tidings import limits
from tidings.problems import Problem

UPDATE_HEAD = "---\nat: 2026-11-23T14:00:00Z\nstatus: investigating\n---\n"


# The plain-words checks' warnings (tests/test_language.py covers them).
PLAIN_WORDS = re.compile(r": warning: (jargon|internal detail|hard to read|missing promise|"
                         r"postmortem shape): ")


def problems_of(root: Path) -> list[str]:
    code, lines = check(root)
    assert code == 1, lines
    return [line for line in lines if not PLAIN_WORDS.search(line)]


def incident_with(project, message: str | bytes, name: str = "u.md", folder: str = DIR) -> Path:
    body = message if isinstance(message, bytes) else message.encode()
    return project({f"{folder}/incident.md": INCIDENT, f"{folder}/{name}": UPDATE_HEAD.encode()
                    + body})


# -- 1. accepted by check, fatal to the build: now refused by check --------------------------

@pytest.mark.parametrize("message, line, words", [
    ("Log: \x1b[31mERROR\x1b[0m at boot\n", 5, "U+001B (a terminal colour code"),
    ("first\nbell \x07 here\n", 6, "U+0007"),
    ("non-character \ufffe\n", 5, "U+FFFE"),
    ("\n".join("    " * i + "- item" for i in range(40)), 5 + 16,
     "nested 17 levels deep here (at most 16)"),
    ("> " * 30 + "deep quote\n", 5, "nested 31 levels deep"),
    ("[" * 3000 + "x" + "]" * 3000, 5, "brackets are nested more than 16 deep"),
    ("<a " * 3000, 5, "'<' or '](' that never close"),
    ("[x](" * 1500, 5, "'<' or '](' that never close"),
])
def test_markdown_that_would_break_or_stall_the_build(project, message, line, words):
    root = incident_with(project, message)
    start = time.monotonic()
    lines = problems_of(root)
    assert time.monotonic() - start < 60  # a guard against a hang, not a benchmark
    assert len(lines) == 1 and lines[0].startswith(f"{DIR}/u.md:{line}: "), lines
    assert words in lines[0]


@pytest.mark.parametrize("title", ['"Deploy \\e[31mfailed"', '"bell \\x07"', '"\\uFFFE"'])
def test_control_characters_written_as_yaml_escapes(project, title):
    root = project({f"{DIR}/incident.md": INCIDENT.replace("API errors", title),
                    f"{DIR}/u.md": UPDATE})
    lines = problems_of(root)
    assert len(lines) == 1 and lines[0].startswith(f"{DIR}/incident.md:2: the value holds the "
                                                   "invisible character U+"), lines


def test_fenced_code_and_normal_nesting_are_fine(project):
    message = "```\n" + "\n".join(" " * 4 * i + "- deep in a fence" for i in range(40)) + \
        "\n```\n\n- a\n    - b\n        - c\n\n[link](https://example.com) <b>x</b> a < b\n"
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/u.md": UPDATE_HEAD + message})
    code, lines = check(root)
    assert code == 0, lines


def test_component_id_with_a_trailing_newline(project):
    config = MINIMAL_CONFIG.replace("  - id: db\n", '  - id: "db\\n"\n')
    root = project(config=config)
    lines = problems_of(root)
    assert any(line.startswith("tidings.yml:14: a component needs an id of lower-case")
               for line in lines), lines


@pytest.mark.parametrize("value, words", [
    ("9999-12-31T23:59:59Z", "outside the plausible range 1990-01-01T00:00:00Z to "
                             "2100-01-01T00:00:00Z"),
    ("9999-12-31T23:59:59-05:00", "outside the plausible range"),
    ("1970-01-01T00:00:00Z", "outside the plausible range"),
])
def test_timestamps_outside_the_plausible_range(project, value, words):
    maintenance = (f"---\ntitle: Upgrade\ntype: maintenance\ncomponents: [api]\n"
                   f"scheduled_for: 2026-12-01T10:00:00Z\nscheduled_until: {value}\n---\n")
    root = project({f"{DIR}/incident.md": maintenance})
    lines = problems_of(root)
    assert lines[0].startswith(f"{DIR}/incident.md:6: scheduled_until: ") and words in lines[0]


@pytest.mark.parametrize("value, words", [
    ("99999999999999999999d", "longer than 366 days"),
    ("400d", "longer than 366 days"),
    ("2026-11-23T13:00:00Z", "next_update must be later than the update's"),
])
def test_next_update_is_plausible_and_after_its_update(project, value, words):
    update = UPDATE.replace("status: investigating", f"status: investigating\nnext_update: {value}")
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/u.md": update})
    lines = problems_of(root)
    assert lines[0].startswith(f"{DIR}/u.md:4: ") and words in lines[0], lines


def test_impact_maintenance_on_an_incident(project):
    root = project({f"{DIR}/incident.md": INCIDENT.replace("major", "maintenance"),
                    f"{DIR}/u.md": UPDATE})
    assert problems_of(root) == [f'{DIR}/incident.md:3: impact "maintenance" is only for '
                                 'maintenance; add "type: maintenance", or use one of "none", '
                                 '"minor", "major", "critical"']


# -- 2. reading outside the repository ---------------------------------------------------------

def test_links_out_of_the_repository_and_special_files(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    secret = outside / "secret.md"
    secret.write_text(UPDATE.replace("We are looking into it.", "CANARY-SECRET"))
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/u.md": UPDATE})
    (root / DIR / "linked.md").symlink_to(secret)
    (root / DIR / "env.md").symlink_to("/proc/self/environ")
    (root / "incidents" / "tree").symlink_to(outside, target_is_directory=True)
    os.mkfifo(root / DIR / "fifo.md")
    (root / "docs").mkdir()
    (root / "docs" / "env.txt").symlink_to("/proc/self/environ")
    (root / "docs" / "copy").symlink_to(root / "incidents", target_is_directory=True)
    (root / "site_templates").mkdir()
    (root / "site_templates" / "main.html").symlink_to(secret)
    start = time.monotonic()
    code, lines = check(root)
    assert time.monotonic() - start < 10  # the FIFO is refused, never waited on
    assert code == 1
    text = "\n".join(lines)
    assert "CANARY-SECRET" not in text
    expected = {
        f"{DIR}/env.md:1: this is a link to /proc/",
        f"{DIR}/fifo.md:1: this is a FIFO, not a regular file",
        f"{DIR}/linked.md:1: this is a link to {os.path.realpath(secret)}, outside the repository",
        "incidents/tree:1: this is a link to",
        "docs/env.txt:1: this is a link to /proc/",
        "docs/copy:1: this is a link to a folder, which Tidings does not follow",
        "site_templates/main.html:1: this is a link to",
    }
    for start_of_line in expected:
        assert any(line.startswith(start_of_line) for line in lines), (start_of_line, lines)


def test_a_link_inside_the_repository_is_read(project):
    root = project({f"{DIR}/incident.md": INCIDENT, "shared/u.md": UPDATE})
    (root / DIR / "u.md").symlink_to(root / "shared" / "u.md")
    code, lines = check(root)
    assert code == 0, lines


def test_tidings_yml_as_a_link_out_of_the_repository(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "tidings.yml"
    outside.write_text(MINIMAL_CONFIG)
    root = project()
    (root / "tidings.yml").unlink()
    (root / "tidings.yml").symlink_to(outside)
    assert problems_of(root)[0].startswith("tidings.yml:1: this is a link to ")


def test_link_loop_and_very_deep_folders(project):
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/u.md": UPDATE})
    (root / "incidents" / "loop").symlink_to(root / "incidents" / "loop")
    deep = root / "incidents" / "/".join(["d"] * 40)
    deep.mkdir(parents=True)
    lines = problems_of(root)
    assert any(line.startswith("incidents/loop:1: this link leads nowhere (or loops)")
               for line in lines), lines
    assert any(f"more than {limits.MAX_FOLDER_DEPTH} levels deep" in line for line in lines)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_unreadable_folder_is_an_error(project):
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/u.md": UPDATE})
    os.chmod(root / DIR, 0)
    try:
        assert problems_of(root)[0].startswith(f"{DIR}:1: cannot read this folder")
    finally:
        os.chmod(root / DIR, 0o755)


# -- 3. nothing silent ------------------------------------------------------------------------

def test_duplicate_keys_in_front_matter(project):
    update = "---\nstatus: resolved\nat: 2026-11-23T14:00:00Z\nstatus: investigating\n---\nx\n"
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/u.md": update})
    assert problems_of(root) == [f'{DIR}/u.md:4: the key "status" is written twice (first on '
                                 "line 2); keep one"]


def test_duplicate_components_block_in_tidings_yml(project):
    root = project(config=MINIMAL_CONFIG + "components:\n  - id: other\n    name: Other\n")
    assert problems_of(root) == ['tidings.yml:16: the key "components" is written twice (first '
                                 "on line 7); keep one"]


def test_merge_keys_are_not_duplicates(project):
    config = MINIMAL_CONFIG + "severity:\n  <<: {minor: Slow.}\n  minor: Slower.\n"
    code, lines = check(project(config=config))
    assert code == 0, lines


def test_hidden_update_file(project):
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/u.md": UPDATE,
                    f"{DIR}/.fix.md": RESOLVED, f"{DIR}/.DS_Store": b"\0\0"})
    assert problems_of(root) == [f"{DIR}/.fix.md:1: a hidden Markdown file is never published, "
                                 "yet looks like content; remove the leading '.' or delete it"]


@pytest.mark.parametrize("extra, expected", [
    ("webhooks:\n  - {type: slack, url_env: SLACK_URL, components: api}\n", None),
    ("webhooks:\n  - {type: slack, url_env: SLACK_URL, components: apx}\n",
     'tidings.yml:17: unknown component "apx" (did you mean "api"?)'),
    ("webhooks:\n  - {type: slack, url_env: SLACK_URL, components: 5}\n",
     "tidings.yml:17: a webhook's components must be a list of component ids"),
    ("update_cadence: true\n", "tidings.yml:16: update_cadence must be a duration"),
    ("update_cadence: 1000d\n", "tidings.yml:16: update_cadence: \"1000d\" is longer than"),
])
def test_configuration_values_never_misread(project, extra, expected):
    root = project(config=MINIMAL_CONFIG + extra)
    code, lines = check(root)
    if expected is None:
        assert code == 0, lines
    else:
        assert code == 1 and lines[0].startswith(expected), lines


def test_webhook_components_as_one_id_is_a_list_of_one(project):
    from tidings.config import load_config
    from tidings.problems import Problems
    root = project(config=MINIMAL_CONFIG + "webhooks:\n  - {type: slack, url_env: S, "
                   "components: api}\n")
    config = load_config(root, Problems(root=root))
    assert config.webhooks[0].components == ("api",)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "status.example.com", "ftp://x.example/"])
def test_site_url_must_be_http(project, url):
    root = project(config=MINIMAL_CONFIG.replace("https://status.test.example/", url))
    assert problems_of(root)[0].startswith("tidings.yml:2: url must be the site's address")


def test_incidents_dir_outside_the_repository(project):
    root = project(config=MINIMAL_CONFIG + "incidents_dir: ../elsewhere\n")
    assert problems_of(root)[0].startswith("tidings.yml:16: incidents_dir must be a folder "
                                           "inside the repository")


def test_example_feed_authority_is_a_warning(project):
    config = "\n".join(line for line in MINIMAL_CONFIG.splitlines()
                       if "authority" not in line) + "\n"
    code, lines = check(project(config=config))
    assert code == 0
    assert lines == ['tidings.yml:3: warning: the feed authority is still the example '
                     '"status.example.com,2026"; set feed: authority: to a domain you own and '
                     "this year, once (entry ids use it)"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_tidings_yml(project):
    root = project()
    os.chmod(root / "tidings.yml", 0)
    try:
        assert problems_of(root) == ["tidings.yml:1: cannot read the file (Permission denied); "
                                     "make it readable"]
    finally:
        os.chmod(root / "tidings.yml", 0o644)


# -- 4. bounded cost --------------------------------------------------------------------------

def test_file_size_limit(project):
    root = incident_with(project, b"word " * (limits.MAX_FILE_BYTES // 5 + 1))
    size = (root / DIR / "u.md").stat().st_size
    lines = problems_of(root)
    assert lines == [f"{DIR}/u.md:1: the file has {size:,} bytes, more than "
                     f"the limit of {limits.MAX_FILE_BYTES:,}; shorten it or split it into "
                     "several updates"]


def test_yaml_alias_bomb_is_refused_quickly_with_little_output(project):
    levels = "abcdefgh"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in itertools.pairwise(levels))
    update = UPDATE_HEAD.replace("---\n", "---\n" + bomb, 1)
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/u.md": update + "x\n"})
    start = time.monotonic()
    result = run_cli("check", str(root), "--now", NOW)
    assert time.monotonic() - start < 60  # a guard against a hang, not a benchmark
    assert result.exit_code == 1
    assert len(result.output) < 2000, len(result.output)
    assert "more than 10000 values once its aliases (*name) are expanded" in result.stdout


def test_yaml_nesting_limit(project):
    nested = "x: " + "{a: " * 40 + "1" + "}" * 40 + "\n"
    root = incident_with(project, b"x\n")
    (root / DIR / "u.md").write_text(UPDATE_HEAD.replace("---\n", "---\n" + nested, 1) + "x\n")
    assert "the YAML is nested more than 32 levels deep" in problems_of(root)[0]


def test_problems_printed_per_file_are_capped(project):
    keys = "".join(f"bad_key_{n}: 1\n" for n in range(50))
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/u.md": UPDATE_HEAD.replace(
        "---\n", "---\n" + keys, 1) + "x\n"})
    lines = problems_of(root)
    assert len(lines) == limits.MAX_PROBLEMS_PER_FILE + 1
    assert lines[-1].endswith("… and 30 more problem(s) in this file; fix these and check again")


def test_a_huge_value_is_shortened_in_its_message(project):
    root = project({f"{DIR}/incident.md": INCIDENT.replace("major", "x" * 100_000),
                    f"{DIR}/u.md": UPDATE})
    line = problems_of(root)[0]
    assert len(line) < limits.MAX_MESSAGE_CHARS + 100 and "…" in line


# -- 5. safe names ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, suggestion", [
    ("api errors", "api-errors"), ("50%-loss", "50-loss"), ("a#b", "a-b"), ("why?", "why"),
    ("back\\slash", "back-slash"), ("evil\u202etxt.md", "eviltxt-md"), ("-dash", "dash"),
])
def test_folder_names_that_are_no_url_segment(project, name, suggestion):
    root = project({f"incidents/{name}/incident.md": INCIDENT, f"incidents/{name}/u.md": UPDATE})
    lines = problems_of(root)
    assert "cannot be an id" in lines[0] and f'rename it, e.g. to "{suggestion}"' in lines[0]
    assert all(c.isprintable() for c in lines[0])


def test_ids_that_differ_only_by_case(project):
    root = project({"incidents/a/API/incident.md": INCIDENT, "incidents/a/API/u.md": UPDATE,
                    "incidents/b/api/incident.md": INCIDENT, "incidents/b/api/u.md": UPDATE})
    assert problems_of(root) == ['incidents/b/api/incident.md:1: the id "api" is also used by '
                                 "incidents/a/API/ (ids differ only by case); folder names are "
                                 "ids and URLs, so rename one folder"]


def test_github_annotation_escapes_properties_and_data():
    problem = Problem("incidents/a,line=1::x/u:1.md", 3, "100% bad\r\nnext")
    assert problem.annotation() == ("::error file=incidents/a%2Cline=1%3A%3Ax/u%3A1.md,line=3::"
                                    "100%25 bad%0D%0Anext")


def test_github_annotation_of_a_hostile_folder_name(project):
    name = "x,line=9::warning file=evil"
    root = project({f"incidents/{name}/incident.md": INCIDENT, f"incidents/{name}/u.md": UPDATE})
    result = run_cli("check", str(root), "--now", NOW, env={"GITHUB_ACTIONS": "true"})
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert annotations and all(line.startswith(
        "::error file=incidents/x%2Cline=9%3A%3Awarning file=evil/") for line in annotations)


def test_site_url_that_disagrees_with_url_is_a_warning(project):
    root = project({"mkdocs.yml": "site_name: x\nsite_url: https://other.example/\n"
                                  "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: "
                                  "!!python/name:material.extensions.emoji.twemoji\n"})
    code, lines = check(root)
    assert code == 0
    assert lines == ["mkdocs.yml:2: warning: site_url https://other.example/ is not the url of "
                     "tidings.yml (https://status.test.example/); make them the same, or remove "
                     "site_url (the plugin then takes url)"]


def test_component_since_outside_the_plausible_range(project):
    root = project(config=MINIMAL_CONFIG.replace("    name: Database\n",
                                                 "    name: Database\n    since: 9999-01-01\n"))
    assert problems_of(root) == ["tidings.yml:16: since must be a date such as 2025-01-31 "
                                 'between 1990-01-01 and 2100-01-01, not "9999-01-01"']


def test_duplicate_keys_on_one_line(project):
    update = "---\n{at: 2026-11-23T14:00:00Z, status: resolved, status: investigating}\n---\nx\n"
    root = project({f"{DIR}/incident.md": INCIDENT, f"{DIR}/u.md": update})
    assert problems_of(root) == [f'{DIR}/u.md:2: the key "status" is written twice (first on '
                                 "line 2); keep one"]


def test_markdown_limits_agree_with_the_line_by_line_walk():
    """The character-count shortcut never accepts what the walk refuses."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(["[", "]", "<", ">", "](", ")", " ", "    ", "\t", "- ", "x", "\n",
                              "\n\n", "```", "> "])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(pieces, max_size=200).map("".join), st.integers(1, 40))
    def agree(text, repeat):
        text *= repeat
        walked = limits._walk_problem(text)
        assert limits.markdown_problem(text) == walked
    agree()


@pytest.mark.parametrize("size", [0, 1, 4096, 65535, 65536, 65537, 131072, 200_000,
                                  262_144, 262_145, 400_000])
def test_a_file_is_read_whole_in_one_read_as_read_bytes_reads_it(tmp_path: Path, size: int):
    """Both readers give ``read_bytes`` up to the limit, and both refuse a larger file
    with its size."""
    from tidings import files
    from tidings.limits import MAX_FILE_BYTES

    path = tmp_path / "file.md"
    path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    for read in (files.read_file, files.read_listed):
        if size <= MAX_FILE_BYTES:
            assert read(path, tmp_path) == path.read_bytes()
        else:
            with pytest.raises(files.RefusedFile, match=f"the file has {size:,} bytes"):
                read(path, tmp_path)
