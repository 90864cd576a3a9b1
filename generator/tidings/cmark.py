"""cmark-gfm's HTML for a text, through cmarkgfm's C library, freeing what it allocates.

cmarkgfm's ``markdown_to_html_with_extensions`` never frees the parsed document nor the HTML
buffer cmark-gfm returns: about 5 KB lost per text, a quarter of a gigabyte for a build that
renders a 10,000-incident history in one process. This makes the same calls on the same
library (so the HTML is the same) and frees both, with cmark-gfm's own functions, which the
library exports but cmarkgfm's bindings leave out. Where they cannot be found, cmarkgfm's own
function renders (the same HTML, with its leak).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from typing import Any

import cmarkgfm  # type: ignore[import-untyped]
from cmarkgfm import _cmark

_lib, _ffi = _cmark.lib, _cmark.ffi


class _Allocator(ctypes.Structure):
    """cmark-gfm's ``cmark_mem``: the functions its parser and renderer allocate with."""

    _fields_ = [("calloc", ctypes.c_void_p), ("realloc", ctypes.c_void_p),
                ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p))]


def _freeing() -> tuple[Callable[[int], None], Callable[[int], None]] | None:
    """cmark-gfm's ``cmark_node_free`` and its default allocator's ``free`` (which the
    document and the rendered HTML come from), or None when the library does not export them."""
    try:
        library = ctypes.CDLL(_cmark.__file__)  # the loaded library itself, not a second copy
        node_free, allocator = library.cmark_node_free, library.cmark_get_default_mem_allocator
    except (OSError, AttributeError):
        return None
    node_free.argtypes, node_free.restype = [ctypes.c_void_p], None
    allocator.argtypes, allocator.restype = [], ctypes.POINTER(_Allocator)
    return node_free, allocator().contents.free


_FREEING = _freeing()
_extensions: dict[str, Any] = {}  # by name: cmark-gfm's registered syntax extensions


def to_html(text: str, options: int, extensions: Sequence[str]) -> str:
    """``cmarkgfm.markdown_to_html_with_extensions(text, options, extensions)``."""
    if _FREEING is None:
        html: str = cmarkgfm.markdown_to_html_with_extensions(text, options=options,
                                                              extensions=list(extensions))
        return html
    node_free, free = _FREEING
    found = [_extension(name) for name in extensions]
    parser = _lib.cmark_parser_new(options)
    try:
        for extension in found:
            _lib.cmark_parser_attach_syntax_extension(parser, extension)
        encoded = text.encode("utf-8")
        _lib.cmark_parser_feed(parser, encoded, len(encoded))
        root = _lib.cmark_parser_finish(parser)  # the caller's to free
        try:
            if _lib.cmark_node_get_type(root) == _lib.CMARK_NODE_NONE:
                raise ValueError("Error parsing markdown!")
            raw = _lib.cmark_render_html(root, options,
                                         _lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return str(_ffi.string(raw).decode("utf-8"))
            finally:
                free(_address(raw))
        finally:
            node_free(_address(root))
    finally:
        _lib.cmark_parser_free(parser)


def _extension(name: str) -> Any:
    found = _extensions.get(name)
    if found is None:
        _lib.cmark_gfm_core_extensions_ensure_registered()
        found = _lib.cmark_find_syntax_extension(name.encode("utf-8"))
        if found == _ffi.NULL:
            raise ValueError(f"Unknown extension {name}")
        _extensions[name] = found
    return found


def _address(pointer: Any) -> int:
    return int(_ffi.cast("uintptr_t", pointer))
