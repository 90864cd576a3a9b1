"""Components found in the source, and the Tidings id each one gets.

Statuspage components are opaque codes and cState ones display names; both become slugs of
their name. A component that tidings.yml already has (same id or same name) keeps its id;
clashing slugs take their group's name, then a number, so one run never maps two source
components to one id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..config import Component
from ..content_format import slug

# How much a name is trusted: the source's component list beats an incident's copy, which
# beats an update's "GROUP - Name" label.
DEFINED, INCIDENT, MENTIONED = 3, 2, 1


@dataclass
class SourceComponent:
    key: str
    name: str
    priority: int
    description: str = ""
    group: str | None = None  # a group name, or a group key resolved through ``groups``
    since: date | None = None
    order: tuple[float, ...] = (float("inf"),)


@dataclass
class NewComponent:
    """A component tidings.yml does not have yet, as it should be written there."""

    id: str
    name: str
    description: str = ""
    group: str | None = None
    since: date | None = None

    def as_yaml(self) -> dict[str, str]:
        item = {"id": self.id, "name": self.name}
        if self.description:
            item["description"] = self.description
        if self.group:
            item["group"] = self.group
        if self.since:
            item["since"] = self.since.isoformat()
        return item


@dataclass
class Assignment:
    ids: dict[str, str]  # component key -> Tidings id
    new: list[NewComponent]  # in the source's display order
    existing: list[str]  # ids already in tidings.yml that the import uses


@dataclass
class ComponentRegistry:
    components: dict[str, SourceComponent] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)  # group key -> group name
    seen: int = 0

    def add(self, key: str, name: str, priority: int, *, description: str | None = None,
            group: str | None = None, since: date | None = None,
            order: tuple[float, ...] | None = None) -> str:
        """Record a component (again); the most trusted name wins. Returns ``key``."""
        self.seen += 1
        name = " ".join(str(name or "").split()) or key.partition(":")[2]
        known = self.components.get(key)
        if known is None:
            known = self.components[key] = SourceComponent(
                key, name, priority, order=(float("inf"), self.seen))
        elif priority > known.priority:
            known.name, known.priority = name, priority
        if description:
            known.description = " ".join(description.split())
        if group:
            known.group = group
        if since and (known.since is None or since < known.since):
            known.since = since
        if order is not None:
            known.order = order
        return key

    def add_group(self, key: str, name: str) -> None:
        self.groups[key] = " ".join(str(name).split())

    def group_name(self, component: SourceComponent) -> str | None:
        if component.group is None:
            return None
        return self.groups.get(component.group, component.group)

    def assign(self, configured: list[Component], used: set[str]) -> Assignment:
        """Give every component an id; ``used`` keys are referenced by imported content."""
        by_id = {c.id: c for c in configured}
        by_name = {c.name.casefold(): c for c in configured}
        taken = set(by_id)
        ids: dict[str, str] = {}
        new: list[NewComponent] = []
        existing: list[str] = []
        for comp in sorted(self.components.values(), key=lambda c: c.order):
            base = slug(comp.name, "component")
            match = by_name.get(comp.name.casefold()) or by_id.get(base)
            if match is not None:
                ids[comp.key] = match.id
                if comp.key in used and match.id not in existing:
                    existing.append(match.id)
                continue
            group = self.group_name(comp)
            cid = _free_id(base, group, taken)
            taken.add(cid)
            ids[comp.key] = cid
            new.append(NewComponent(cid, comp.name, comp.description, group, comp.since))
        return Assignment(ids, new, existing)


def _free_id(base: str, group: str | None, taken: set[str]) -> str:
    candidates = [base]
    if group:
        candidates.append(f"{slug(group, 'group')}-{base}")
    candidates += [f"{base}-{n}" for n in range(2, 1000)]
    return next(c for c in candidates if c not in taken)
