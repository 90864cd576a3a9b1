"""Thousands of pages of one Jinja template that differ only in a few blocks.

Material's ``base.html`` (head, scripts, skeleton) is most of a page's rendering time, yet for
a page outside the navigation (an incident, a postmortem, a component, a later history page)
all of it but a few blocks depends only on the page's template and depth. ``Frames`` renders
the first page of each (template, depth) whole, keeps the output around those blocks (the
frame), and renders only the blocks of each further page. Each frame is checked once: the
first page rebuilt from its frame must equal its whole rendering, or that template and depth
is always rendered whole.

What is rendered once per frame: everything outside the page blocks, including what the
templates do outside any block (their top-level {% set %} and {% import %} are evaluated for
the first page and shared). The page blocks are those that carry a page's own content
(PAGE_BLOCKS) and every block a status repository's own templates (``own_dirs``) define
(what such a block's ``{{ super() }}`` gives is the frame's, unless it holds a page block); a
repository template that writes anything outside its blocks, or that the frame includes, or
that overrides a site-wide banner, has its pages rendered whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Template, nodes
from jinja2.runtime import Context

# The blocks of base.html that read the page: its description and canonical URL, its title,
# its feeds (tidings/main.html's extrahead) and its body.
PAGE_BLOCKS = frozenset({"site_meta", "htmltitle", "extrahead", "content"})
# Site-wide banners, which base.html tests outside their blocks (``self.announce()``): when a
# repository overrides one, its pages are rendered whole.
SITE_BLOCKS = frozenset({"announce", "outdated"})
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
        holes = {name for name, chain in blocks.items()
                 if name in PAGE_BLOCKS or any(self.is_own(f) for f in chain)}
        if holes & SITE_BLOCKS:
            return output, None
        marked = template.new_context(dict(context))
        for name in holes:
            marked.blocks[name] = [_marker(name)]
        text, loaded = _recording(template, lambda: "".join(template.root_render_func(marked)))
        pieces = tuple(_MARKS.split(text))
        names = pieces[1::2]
        if (len(set(names)) < len(names)  # a block rendered twice: not worth the risk
                or not all(self.blocks_only(t) for t in (template, *loaded))):
            return output, None
        for name in holes - PAGE_BLOCKS:  # a repository's block over one of the frame's
            blocks[name] = self.own_part(blocks[name], ctx, marked)
        frame = Frame(pieces, blocks, dict(ctx.vars))
        return output, frame if self.fill(frame, template, context) == output else None

    def own_part(self, chain: list[BlockFunction], ctx: Context,
                 marked: Context) -> list[BlockFunction]:
        """A repository's block over one that is the frame's (``styles`` adding a stylesheet):
        what ``{{ super() }}`` gives is rendered once, unless it holds a page block."""
        first = next((n for n, f in enumerate(chain) if not self.is_own(f)), len(chain))
        if first == len(chain) or _MARKS.search("".join(chain[first](marked))):
            return chain
        return [*chain[:first], _constant("".join(chain[first](ctx)))]

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

    def blocks_only(self, template: Template) -> bool:
        """Not a repository's template, or one that writes nothing outside its blocks (its
        blocks are then page blocks); anything else it writes might read the page."""
        if not (self.own_dirs and (template.filename or "").startswith(self.own_dirs)):
            return True
        env = template.environment
        assert env.loader is not None and template.name is not None
        source = env.loader.get_source(env, template.name)[0]
        return all(isinstance(node, nodes.Extends | nodes.Block) or (
            isinstance(node, nodes.Output) and all(
                isinstance(n, nodes.TemplateData) and not n.data.strip() for n in node.nodes))
            for node in env.parse(source).body)


def _constant(text: str) -> BlockFunction:
    def block(context: Context) -> Iterator[str]:
        yield text
    return block


def _marker(name: str) -> BlockFunction:
    return _constant(_MARK.format(name))



def _recording(template: Template, render: Callable[[], str]) -> tuple[str, list[Template]]:
    """``render()``, and every template it loaded (parents, includes, imports)."""
    env, loaded = template.environment, []
    get_template = env.get_template

    def recording(*args: Any, **kwargs: Any) -> Template:
        loaded.append(found := get_template(*args, **kwargs))
        return found
    env.get_template = recording  # type: ignore[method-assign]
    try:
        return render(), loaded
    finally:
        del env.get_template
