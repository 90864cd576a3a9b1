"""A realistic, deterministic synthetic status history for benchmarks.

``write_site(dest, n)`` writes a whole Tidings repository (tidings.yml, mkdocs.yml, docs/,
site_templates/ copied from this repository, incidents/) with ``n`` incidents and maintenance
spread over years; ``write_floor(dest, n)`` writes the bare MkDocs + Material site that carries
the same Markdown text, one page per incident, with a one-item nav.

Content is written as the authoring commands write it (``yaml`` front matter, folder
``incidents/YYYY/YYYY-MM-DD-slug-xxxx/``, update files named by time and status), so it must
pass ``tidings check`` with zero errors; tests/test_benchmark_tools.py keeps it that way.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from slugify import slugify

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # the moment every benchmark builds as of
YEARS = 8  # the history spans this many years before NOW
SEED = 20261123
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_SUFFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"

# 20 components in four groups and two ungrouped, like a mid-sized SaaS company.
COMPONENTS: list[tuple[str, str, str | None]] = [
    ("api", "REST API", "Platform"), ("graphql", "GraphQL API", "Platform"),
    ("web", "Dashboard", "Platform"), ("auth", "Login and SSO", "Platform"),
    ("webhooks", "Webhooks", "Platform"),
    ("postgres", "Managed PostgreSQL", "Data"), ("redis", "Managed Redis", "Data"),
    ("storage", "Object storage", "Data"), ("backups", "Backups", "Data"),
    ("search", "Search", "Data"),
    ("functions", "Functions", "Compute"), ("containers", "Containers", "Compute"),
    ("builds", "Build pipeline", "Compute"), ("scheduler", "Job scheduler", "Compute"),
    ("cdn", "CDN", "Network"), ("dns", "DNS", "Network"),
    ("lb", "Load balancers", "Network"), ("vpn", "Private networking", "Network"),
    ("email", "Email notifications", None), ("billing", "Billing", None),
]
_NAMES = {cid: name for cid, name, _group in COMPONENTS}
_IMPACTS = [("none", 1), ("minor", 5), ("major", 3), ("critical", 1)]
_IMPACT_STATUS = {"none": "degraded_performance", "minor": "degraded_performance",
                  "major": "partial_outage", "critical": "major_outage"}
_SYMPTOMS = ["Elevated error rates", "Increased latency", "Degraded performance",
             "Intermittent timeouts", "Delayed processing", "Failed requests",
             "Partial unavailability", "Connectivity issues"]
_CAUSES = [
    "a configuration change to the `{cid}` routing layer",
    "an expired TLS certificate on an internal load balancer",
    "a database switch to its standby that did not complete cleanly",
    "a saturated connection pool after a traffic spike",
    "a faulty network switch in one availability zone",
    "a bad deploy of the **{name}** service",
    "disk pressure on a storage node",
    "an upstream provider's outage in `eu-west-1`",
]
_FIXES = ["rolled back the change", "replaced the certificate", "promoted a healthy replica",
          "raised the pool limits and restarted the workers", "drained the faulty zone",
          "deployed a fix", "added capacity", "moved traffic to another region"]
_WORK = ["Database engine upgrade", "Network hardware replacement", "Storage migration",
         "Load balancer upgrade", "Kernel security patches", "Certificate rotation"]


@dataclass
class File:
    """One file of the history: its path under incidents/ and its text."""

    path: str
    text: str


@dataclass
class Entry:
    """One incident or maintenance: its files, and its Markdown for the floor page."""

    id: str
    title: str
    files: list[File] = field(default_factory=list)
    markdown: list[str] = field(default_factory=list)

    def add(self, name: str, meta: dict, body: str = "") -> None:
        self.files.append(File(f"{self.id}/{name}", document(meta, body)))
        if body:
            self.markdown.append(body)


def document(meta: dict, body: str = "") -> str:
    """YAML front matter (dumped, never templated) and a Markdown body."""
    front = yaml_text(meta)
    body = body.strip()
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"


def yaml_text(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1000)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def update_name(at: datetime, status: str) -> str:
    return f"{at.strftime('%Y-%m-%dT%H%M%SZ')}-{status.replace('_', '-')}.md"


class History:
    """Deterministic generator of ``n`` incidents and maintenance ending at ``now``."""

    def __init__(self, n: int, seed: int = SEED, now: datetime = NOW):
        self.n = n
        self.now = now
        self.rng = random.Random(seed)
        self.ids: set[str] = set()

    def entries(self) -> Iterator[Entry]:
        """Oldest first; the last two are an open incident and an upcoming maintenance."""
        span = timedelta(days=365 * YEARS).total_seconds()
        starts = sorted(self.rng.uniform(0, span - 3 * 86400) for _ in range(max(self.n - 2, 0)))
        begin = self.now - timedelta(days=365 * YEARS)
        for offset in starts:
            start = (begin + timedelta(seconds=offset)).replace(microsecond=0)
            if self.rng.random() < 0.10:
                yield self.maintenance(start, upcoming=False)
            else:
                yield self.incident(start, open_=False)
        if self.n >= 1:
            yield self.incident(self.now - timedelta(minutes=10), open_=True)
        if self.n >= 2:
            yield self.maintenance(self.now + timedelta(days=5), upcoming=True)

    # -- helpers --------------------------------------------------------------------------

    def new_id(self, title: str, start: datetime) -> str:
        stem = f"{start.date().isoformat()}-{slugify(title, max_length=48, word_boundary=True)}"
        while True:
            candidate = stem + "-" + "".join(self.rng.choices(_SUFFIX_ALPHABET, k=4))
            if candidate not in self.ids:
                self.ids.add(candidate)
                return f"{start.year}/{candidate}"

    def components(self) -> list[str]:
        """One to three components, usually from the same group."""
        first = self.rng.choice(COMPONENTS)
        same = [c for c in COMPONENTS if c[2] == first[2] and c[2] is not None and c != first]
        chosen = [first[0]]
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            pool = same if same and self.rng.random() < 0.8 else COMPONENTS
            pick = self.rng.choice(pool)[0]
            if pick not in chosen:
                chosen.append(pick)
        return chosen

    def steps(self, start: datetime, count: int) -> list[datetime]:
        times, at = [], start
        for _ in range(count):
            times.append(at)
            at += timedelta(minutes=self.rng.randint(8, 75), seconds=self.rng.randint(0, 59))
        return times

    # -- incidents ------------------------------------------------------------------------

    def incident(self, start: datetime, open_: bool) -> Entry:
        rng = self.rng
        impact = rng.choices([i for i, _ in _IMPACTS], [w for _, w in _IMPACTS])[0]
        cids = self.components()
        names = " and ".join(_NAMES[c] for c in cids)
        title = f"{rng.choice(_SYMPTOMS)} for {names}"
        entry = Entry(self.new_id(title, start), title)
        summary = (f"On {start:%d %B %Y} some customers saw {title.lower().split(' for ')[0]} "
                   f"on {names}. See the updates below for details.")
        entry.add("incident.md", {"title": title, "impact": impact, "components": cids}, summary)
        cause = rng.choice(_CAUSES).format(cid=cids[0], name=_NAMES[cids[0]])
        statuses = self.incident_statuses(open_)
        times = self.steps(start, len(statuses))
        if open_:  # the latest update is recent, so nothing is overdue at NOW
            times = [t - (times[-1] - start) for t in times]
        bad = _IMPACT_STATUS[impact]
        for number, (status, at) in enumerate(zip(statuses, times, strict=True)):
            meta: dict = {"at": iso(at), "status": status}
            changes = self.changes(cids, status, bad, number)
            if changes:
                meta["components"] = changes
            if status != "resolved" and rng.random() < 0.4:
                meta["next_update"] = rng.choice(["30m", "1h", "45m"])
            entry.add(update_name(at, status), meta, self.message(status, at, cids, cause))
        if not open_ and impact in ("major", "critical") and rng.random() < 0.35:
            published = times[-1] + timedelta(days=rng.randint(1, 5))
            entry.add("postmortem.md", {"published": iso(published)},
                      self.postmortem(cids, cause, times))
        return entry

    def incident_statuses(self, open_: bool) -> list[str]:
        if open_:
            return ["investigating", "identified", "identified", "monitoring"]
        return ["investigating", *["identified"] * self.rng.randint(1, 2),
                *["monitoring"] * self.rng.randint(1, 2), "resolved"]

    def changes(self, cids: list[str], status: str, bad: str, number: int) -> dict[str, str]:
        """Per-update component changes: worse at first, better once monitoring."""
        if status in ("monitoring", "resolved"):
            return dict.fromkeys(cids, "operational")
        if number == 0:
            return dict.fromkeys(cids, bad)
        if self.rng.random() < 0.5:
            return {self.rng.choice(cids): self.rng.choice(
                ["degraded_performance", "partial_outage", "major_outage"])}
        return {}

    def message(self, status: str, at: datetime, cids: list[str], cause: str) -> str:
        """Like real messages, every one differs: times and figures of its own incident."""
        names = ", ".join(f"**{_NAMES[c]}**" for c in cids)
        rng = self.rng
        if status == "investigating":
            return (f"Since {at:%H:%M} UTC we see about {rng.randint(2, 60)} % of requests to "
                    f"{names} fail or take longer than usual; we are investigating."
                    f"\n\nIf you are affected, retries with "
                    f"backoff usually succeed; see [our retry guide]"
                    f"(https://docs.acme.example/guides/retries).")
        if status == "identified":
            return (f"As of {at:%H:%M} UTC we have identified the cause: {cause}. We are "
                    f"working on a fix (our reference {rng.randint(1000, 99999)}).\n\n"
                    f"- Affected: {names}\n- Not affected: data at rest, billing\n"
                    f"- Next step: {rng.choice(_FIXES)}"
                    + ("\n\nWe'll post another update within the hour."
                       if rng.random() < 0.5 else ""))
        if status == "monitoring":
            return (f"We {rng.choice(_FIXES)} and since {at:%H:%M} UTC error rates are back to "
                    f"normal for {names}. "
                    + ("We're watching closely." if rng.random() < 0.5
                       else "We are monitoring the results.")
                + " We will post the next update within the hour.")
        return (f"This incident is resolved as of {at:%H:%M} UTC: {names} worked normally "
                f"for the last "
                f"{rng.randint(20, 90)} minutes. Questions? Contact "
                f"[support](https://acme.example/support).")

    def postmortem(self, cids: list[str], cause: str, times: list[datetime]) -> str:
        lines = "\n".join(f"- {t.strftime('%H:%M')} UTC: update posted." for t in times)
        return (f"## We are sorry\n\nFor {int((times[-1] - times[0]).total_seconds() // 60)} "
                f"minutes, customers of {_NAMES[cids[0]]} saw errors. We let you down, and "
                f"we're sorry.\n\n"
                f"## What happened\n\nThe cause was {cause}.\n\n## Timeline\n\n{lines}\n\n"
                f"## How we fixed it\n\nWe removed the cause and checked that every request "
                f"succeeds again.\n\n"
                f"## What will prevent a repeat\n\n1. An alert on the cause.\n"
                f"2. A staged rollout for this kind of change.\n\n"
                f"| Metric | Value |\n|---|---|\n| Requests failed | "
                f"{self.rng.randint(1, 40)} % |\n")

    # -- maintenance ----------------------------------------------------------------------

    def maintenance(self, start: datetime, upcoming: bool) -> Entry:
        rng = self.rng
        cids = self.components()
        title = f"{rng.choice(_WORK)} for {' and '.join(_NAMES[c] for c in cids)}"
        start = start.replace(minute=0, second=0)
        end = start + timedelta(hours=rng.choice([1, 2, 3]))
        entry = Entry(self.new_id(title, start), title)
        entry.add("incident.md", {
            "title": title, "type": "maintenance", "impact": "maintenance", "components": cids,
            "scheduled_for": iso(start), "scheduled_until": iso(end),
        }, f"During the window, {', '.join(_NAMES[c] for c in cids)} may be briefly "
           f"unavailable. No action is needed on your side.")
        announced = min(start - timedelta(days=rng.randint(3, 10)), self.now - timedelta(days=2))
        updates = [("scheduled", announced)]
        if upcoming:
            updates.append(("scheduled", self.now - timedelta(hours=1)))
        else:
            if rng.random() < 0.6:
                updates.append(("scheduled", start - timedelta(days=1, minutes=rng.randint(1, 59))))
            updates += [("in_progress", start), ("verifying", end - timedelta(minutes=20)),
                        ("completed", end - timedelta(minutes=rng.randint(0, 15)))]
        texts = {
            "scheduled": f"We will carry out planned work between {start:%H:%M} and {end:%H:%M} "
                         f"UTC on {start:%d %B %Y}. Details: [maintenance policy]"
                         f"(https://acme.example/maintenance).",
            "in_progress": "The maintenance has started.",
            "verifying": "The work is done; we are verifying that everything works.",
            "completed": "The maintenance is complete. Thank you for your patience.",
        }
        for status, at in updates:
            entry.add(update_name(at, status), {"at": iso(at), "status": status},
                      f"{texts[status]} ({at:%d %b %Y, %H:%M} UTC)")
        return entry


# -- whole repositories ------------------------------------------------------------------------


def tidings_config(components: list[tuple[str, str, str | None]] | None = None) -> dict:
    return {
        "name": "Acme Cloud Status",
        "url": "http://127.0.0.1:8000/",
        "description": "Live status, incidents and planned maintenance for Acme Cloud.",
        "timezone": "Europe/Berlin",
        "update_cadence": "60m",
        "feed": {"authority": "status.acme.example,2026", "author": "Acme Cloud Operations",
                 "email": "status@acme.example"},
        "components": [
            {"id": cid, "name": name, **({"group": group} if group else {}),
             "since": "2018-01-01"}
            for cid, name, group in (components or COMPONENTS)
        ],
    }


def many_components(count: int = 500, groups: int = 25) -> list[tuple[str, str, str | None]]:
    """``count`` components in ``groups`` groups, as a large provider's page has them: the 20
    above (which the history's incidents name; the ungrouped two join Platform) and more
    services, spread evenly over the rest of the groups."""
    base = [(cid, name, group or "Platform") for cid, name, group in COMPONENTS]
    names = sorted({g for _cid, _name, g in base})
    names += [f"Region {n:02d}" for n in range(1, groups - len(names) + 1)]
    extra = [(f"svc-{n:03d}", f"Service {n:03d}", names[n % len(names)])
             for n in range(1, count - len(base) + 1)]
    return base + extra


def repo_mkdocs_config() -> dict:
    """This repository's mkdocs.yml (plain YAML: tags would need MkDocs' own loader)."""
    return yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))


def write_history(dest: Path, n: int, seed: int = SEED, now: datetime = NOW) -> list[Entry]:
    """Write ``n`` incidents under ``dest/incidents``; returns them oldest first."""
    entries = list(History(n, seed, now).entries())
    root = dest / "incidents"
    for entry in entries:
        folder = root / entry.id
        folder.mkdir(parents=True, exist_ok=True)
        for file in entry.files:
            (root / file.path).write_text(file.text, encoding="utf-8")
    return entries


def write_site(dest: Path, n: int, seed: int = SEED, now: datetime = NOW,
               components: list[tuple[str, str, str | None]] | None = None) -> list[Entry]:
    """A whole Tidings repository with ``n`` incidents, ready for ``mkdocs build``."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "tidings.yml").write_text(yaml_text(tidings_config(components)),
                                      encoding="utf-8")
    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    for name in ("docs", "site_templates"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, dest / name, dirs_exist_ok=True)
    (dest / "docs").mkdir(exist_ok=True)
    return write_history(dest, n, seed, now)


def floor_config() -> dict:
    """The same theme and plugins as the real site, without Tidings or its templates."""
    config = repo_mkdocs_config()
    theme = dict(config.get("theme") or {"name": "material"})
    theme.pop("custom_dir", None)  # Tidings' templates are part of what is measured
    plugins = [p for p in config.get("plugins") or []
               if (p if isinstance(p, str) else next(iter(p))) != "tidings"]
    return {**{key: value for key, value in config.items() if key not in ("nav", "docs_dir")},
            "docs_dir": "docs", "theme": theme, "plugins": plugins,
            "nav": [{"Home": "index.md"}]}


def write_floor(dest: Path, n: int, seed: int = SEED, now: datetime = NOW) -> None:
    """The floor: the same number of pages with the same Markdown text, a one-item nav."""
    docs = dest / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (dest / "mkdocs.yml").write_text(yaml_text(floor_config()),
                                     encoding="utf-8")
    (docs / "index.md").write_text("# Status\n\nEvery incident has a page.\n", encoding="utf-8")
    for entry in History(n, seed, now).entries():
        page = docs / f"{entry.id}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"# {entry.title}\n\n" + "\n\n".join(entry.markdown) + "\n",
                        encoding="utf-8")
