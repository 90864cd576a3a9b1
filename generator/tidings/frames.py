"""Thousands of pages of one Jinja template that differ only in a few blocks.

Material's ``base.html`` (head, scripts, skeleton) is most of a page's rendering time, yet for
a page outside the navigation (an incident, a postmortem, a component, a later history page)
all of it but a few blocks depends only on the page's template and depth. ``Frames`` renders
the first page of each (template, depth) whole, keeps the output around those blocks (the
frame), and renders only the blocks of each further page. Each frame is checked once: the
first page rebuilt from its frame must equal its whole rendering, or that template and depth
is always rendered whole.

What is rendered once per frame: everything outside the page blocks, including what a
template writes outside any block ({% set %}, {% import %} at its top level are evaluated for
the first page and shared). So a page block is any block a status repository's own templates
define, besides the blocks that carry a page's own content (PAGE_BLOCKS).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Template
from jinja2.runtime import Context

# The blocks of base.html that read the page: its description and canonical URL, its title,
# its feeds (tidings/main.html's extrahead) and its body.
PAGE_BLOCKS = frozenset({"site_meta", "htmltitle", "extrahead", "content"})
# Site-wide banners: base.html tests them (self.announce()) outside the block, so they stay in
# the frame even when a repository overrides them.
FRAME_BLOCKS = frozenset({"announce", "outdated"})
_MARK = "\x00tidings-block:{}\x00"
_MARKS = re.compile("\x00tidings-block:([^\x00]*)\x00")

BlockFunction = Callable[[Context], Iterator[str]]


@dataclass(frozen=True)
class Frame:
    pieces: tuple[str, ...]  # literal output, with a block's name at every odd index
    blocks: dict[str, list[BlockFunction]]  # every block's chain, leaf template first
    top: dict[str, Any]  # what the templates set at their top level


class Frames:
    """Renders pages through one frame per key (the caller's: template and depth)."""

    def __init__(self, own_dirs: tuple[Path, ...] = ()) -> None:
        # A status repository's template folders, as given and resolved.
        self.own_dirs = tuple({str(p) for d in own_dirs for p in (d, d.resolve())})
        self.frames: dict[Any, Frame | None] = {}

    def render(self, key: Any, template: Template, context: Mapping[str, Any]) -> str:
        """``template.render(context)``, from the frame of ``key`` when there is one."""
        if key not in self.frames:
            output, self.frames[key] = self.frame(template, context)
            return output
        frame = self.frames[key]
        if frame is None:
            return template.render(context)
        return self.fill(frame, template, context)

    def frame(self, template: Template, context: Mapping[str, Any]) -> tuple[str, Frame | None]:
        """The whole page, and its frame if rebuilding the page from it gives the same."""
        ctx = template.new_context(dict(context))
        try:
            output = "".join(template.root_render_func(ctx))
        except Exception:
            template.environment.handle_exception()  # raises, with the template's line
        blocks = {name: list(chain) for name, chain in ctx.blocks.items()}
        holes = {name for name, chain in blocks.items() if name not in FRAME_BLOCKS
                 and (name in PAGE_BLOCKS or any(self.is_own(f) for f in chain))}
        marked = template.new_context(dict(context))
        for name in holes:
            marked.blocks[name] = [_marker(name)]
        pieces = tuple(_MARKS.split("".join(template.root_render_func(marked))))
        frame = Frame(pieces, blocks, dict(ctx.vars))
        names = pieces[1::2]
        if len(set(names)) < len(names):  # a block rendered twice: not worth the risk
            return output, None
        return output, frame if self.fill(frame, template, context) == output else None

    def fill(self, frame: Frame, template: Template, context: Mapping[str, Any]) -> str:
        """The page: the frame's output with this page's blocks in their places."""
        ctx = template.new_context(dict(context))
        ctx.blocks = frame.blocks
        ctx.vars.update(frame.top)
        out = []
        try:
            for n, piece in enumerate(frame.pieces):
                out.append("".join(frame.blocks[piece][0](ctx)) if n % 2 else piece)
        except Exception:
            template.environment.handle_exception()
        return "".join(out)

    def is_own(self, function: BlockFunction) -> bool:
        """A block of a status repository's own template (compiled from a file there)."""
        return bool(self.own_dirs) and function.__code__.co_filename.startswith(self.own_dirs)


def _marker(name: str) -> BlockFunction:
    mark = _MARK.format(name)

    def block(context: Context) -> Iterator[str]:
        yield mark
    return block

