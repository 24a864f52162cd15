#!/usr/bin/env python3
"""Checks for the documentation site: runnable snippets and internal links.

* :func:`runnable_blocks` finds the Python code blocks that a page marks as
  runnable, written as a fenced block whose info string is
  ``python {.exec}`` (the class is harmless to MkDocs: it only lands on
  the rendered ``<div>``).  tests/test_docs.py runs each one in a fresh
  interpreter.
* :func:`check_site_links` reads every HTML page of a built site and reports
  each internal ``href``/``src`` whose target file or ``#anchor`` does not
  exist.  External links (with a scheme, ``//host`` or ``mailto:``) are not
  followed: tests and CI have no network.

``python tools/docs_check.py links site`` prints the broken links and exits 1
if there are any (``make docs`` runs it after the build).
"""

from __future__ import annotations

import dataclasses
import html.parser
import posixpath
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

# ```python {.exec}  ...  ``` (the fence may be longer than three backticks)
_FENCE = re.compile(
    r"^(?P<fence>`{3,})python[ \t]+\{[^}\n]*\.exec\b[^}\n]*\}[ \t]*\n"
    r"(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


@dataclasses.dataclass(frozen=True)
class Block:
    page: str
    line: int  # 1-based line of the opening fence
    code: str

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line}"


def runnable_blocks(docs_dir: Path) -> list[Block]:
    """Every ``python {.exec}`` block of every Markdown page under ``docs_dir``."""
    blocks: list[Block] = []
    for page in sorted(docs_dir.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for m in _FENCE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            blocks.append(Block(page.relative_to(docs_dir).as_posix(), line, m.group("body")))
    return blocks


class _PageScan(html.parser.HTMLParser):
    """The ids a page defines and the internal links it makes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value is None:
                continue
            if key in ("id", "name"):
                self.ids.add(value)
            elif (key == "href" and tag in ("a", "link")) or (
                key == "src" and tag in ("img", "script")
            ):
                self.links.append(value)


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) or url.startswith(("mailto:", "javascript:"))


def check_site_links(site: Path) -> tuple[int, list[str]]:
    """(number of internal links checked, one message per broken link)."""
    pages: dict[str, _PageScan] = {}
    for path in sorted(site.rglob("*.html")):
        scan = _PageScan()
        scan.feed(path.read_text(encoding="utf-8", errors="replace"))
        pages[path.relative_to(site).as_posix()] = scan
    checked = 0
    broken: list[str] = []
    for page, scan in pages.items():
        for url in scan.links:
            if _is_external(url):
                continue
            checked += 1
            parts = urlsplit(url)
            target_path = unquote(parts.path)
            if target_path:
                # Root-absolute links (404.html has them: it is served at any
                # depth) are relative to the site root.
                base = "" if target_path.startswith("/") else posixpath.dirname(page)
                target = posixpath.normpath(posixpath.join(base, target_path.lstrip("/")))
                if target.startswith("../"):
                    broken.append(f"{page}: {url} points outside the site")
                    continue
                file = site / target
                if file.is_dir():
                    target = posixpath.join(target, "index.html")
                    file = site / target
                if not file.is_file():
                    broken.append(f"{page}: {url} -> {target} does not exist")
                    continue
            else:
                target = page
            anchor = unquote(parts.fragment)
            if anchor and target.endswith(".html"):
                scanned = pages.get(target)
                if scanned is None or anchor not in scanned.ids:
                    broken.append(f"{page}: {url} -> no id {anchor!r} in {target}")
    return checked, broken


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "links":
        print("usage: docs_check.py links SITE_DIR", file=sys.stderr)
        return 2
    site = Path(argv[1])
    if not (site / "index.html").is_file():
        print(f"{site}/index.html missing: build the site first (make docs)", file=sys.stderr)
        return 2
    checked, broken = check_site_links(site)
    for msg in broken:
        print(msg)
    print(f"links: {checked} internal links checked, {len(broken)} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
