"""MkDocs hooks for the qtnet site (mkdocs.yml: ``hooks:``).

Pages that the site links but that are still being written elsewhere are
listed in PENDING_PAGES.  While such a file does not exist in docs/, the build
gets a generated page saying so (and logs a warning-free notice), so the nav
and the links stay valid and ``--strict`` keeps failing on every *other*
missing target.  As soon as the real file lands it is used as it is; once all
of them exist, empty PENDING_PAGES.

The API reference pages also get a "Qt version" line under every class and
member (on_page_content; the table is tools/qt_versions.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import re
from html import escape as html_escape
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the tests load this module without mkdocs
    from mkdocs.structure.files import Files

# Empty: every page the nav names exists (conformance.md and reliability.md landed).
PENDING_PAGES: dict[str, str] = {}

log = logging.getLogger("mkdocs.hooks.qtnet")


def on_files(files: Files, config: Any) -> Files:
    from mkdocs.structure.files import File

    for src_uri, title in PENDING_PAGES.items():
        if files.get_file_from_path(src_uri) is None:
            log.info("qtnet docs: %s does not exist yet; using a stand-in page", src_uri)
            files.append(
                File.generated(
                    config,
                    src_uri,
                    content=f"# {title}\n\nThis page is being written; it is not in "
                    f"`docs/{src_uri}` yet.\n",
                )
            )
    return files


# -- "Qt version" line under every class and member of the API reference ------
# The versions live in tools/qt_versions.py (one table, checked by
# tests/test_qt_versions.py); this hook only renders them.  mkdocstrings
# gives each object a heading <hN id="dotted.path" class="doc doc-heading">
# followed by its <div class="doc doc-contents ...">: the line goes first in
# that div.  A heading the table cannot answer for is a warning, which
# --strict turns into a failed build.
_HEADING = re.compile(r'<h[1-6] id="(?P<id>qtnet\.[^"]+)" class="doc doc-heading"')
_CONTENTS = re.compile(r'<div class="doc doc-contents[^"]*">')
_DIRECTIVE = re.compile(r"^:::\s+(\S+)", re.MULTILINE)


def _load_versions() -> ModuleType:
    path = Path(__file__).resolve().parent / "qt_versions.py"
    spec = importlib.util.spec_from_file_location("qtnet_tools_qt_versions", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


qt_versions = _load_versions()


def _entries_for(path: str) -> list[dict[str, str]] | None:
    """The table entries that answer for the documented object ``path``
    (``qtnet.qt.tcpserver.QTcpServer``): its own, then its bases' (MRO)."""
    module_name, _, name = path.rpartition(".")
    own = qt_versions.VERSIONS.get(name)
    if own is None:
        return None
    entries = [own]
    obj = getattr(importlib.import_module(module_name), name, None)
    for base in getattr(obj, "__mro__", ())[1:]:
        entry = qt_versions.VERSIONS.get(base.__name__)
        if entry is not None:
            entries.append(entry)
    return entries


def _is_module(path: str) -> bool:
    try:
        importlib.import_module(path)
    except ImportError:
        return False
    return True


def annotate_versions(html: str, documented: list[str]) -> tuple[str, list[str]]:
    """Insert the version line after every qtnet heading of ``html``.

    ``documented`` are the ``:::`` paths of the page.  Returns the new HTML
    and the problems found (headings left without a line).
    """
    problems: list[str] = []
    # A module directive (workers.md) renders no heading of its own.
    documented = [p for p in documented if not _is_module(p)]
    entries = {path: _entries_for(path) for path in documented}
    for path, found in entries.items():
        if found is None:
            problems.append(f"{path}: no entry in tools/qt_versions.py")
    out: list[str] = []
    pos = 0
    headings = list(_HEADING.finditer(html))
    for i, heading in enumerate(headings):
        ident = heading["id"]
        owner = max((p for p in documented if ident == p or ident.startswith(p + ".")),
                    key=len, default=None)
        found = entries.get(owner) if owner is not None else None
        if found is None:
            problems.append(f"{ident}: not under a documented object with a version entry")
            continue
        member = ident[len(owner) + 1:] if ident != owner else ""
        end = headings[i + 1].start() if i + 1 < len(headings) else len(html)
        contents = _CONTENTS.search(html, heading.end(), end)
        if contents is None:
            problems.append(f"{ident}: no doc-contents block to put the version line in")
            continue
        text = qt_versions.note_text(qt_versions.lookup(found, member))
        out.append(html[pos:contents.end()])
        out.append(f'\n<p class="qt-version"><em>{html_escape(text)}</em></p>\n')
        pos = contents.end()
    out.append(html[pos:])
    return "".join(out), problems


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    documented = _DIRECTIVE.findall(page.markdown or "")
    if not documented:
        return html
    html, problems = annotate_versions(html, documented)
    for problem in problems:
        log.warning("qtnet docs: %s: %s", page.file.src_uri, problem)
    return html
