"""A reader for the YAML subset used by OSV advisory files (PyPA Advisory Database).

Block mappings and sequences, "- key: value" items, plain, single- and
double-quoted scalars over several lines, and literal/folded block scalars.
Every scalar is a str ("null" and "~" are None): versions such as ``"3.1"``
must stay strings.  Flow collections other than ``[]``/``{}``, anchors and
tags are refused with :class:`YamlSubsetError`.  A tiny reader keeps the
offline audit free of a PyYAML dependency; ``tools/update_advisories.py``
checks it against PyYAML on every vendored file when PyYAML is installed.
"""

from __future__ import annotations

import re
from typing import Any


class YamlSubsetError(ValueError):
    pass


_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "f": "\f",
    "v": "\v",
    "_": "\xa0",
    "N": "\x85",
    "L": "\u2028",
    "P": "\u2029",
}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "xuU":
        return chr(int(code[1:], 16))
    return _ESCAPES.get(code, code)


def _fold(segments: list[str]) -> str:
    """Join a flow scalar's lines: one break is a space, n breaks are n - 1 newlines."""
    out, pending = segments[0], 0
    for index, seg in enumerate(segments[1:], start=2):
        if not seg and index < len(segments):  # an empty line (the last one is content)
            pending += 1
            continue
        out += "\n" * pending if pending else " "
        out, pending = out + seg, 0
    return out


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = [ln.rstrip(" \t") for ln in re.split(r"\r\n|\r|\n", text)]
        self.i = 0

    def _next_content(self) -> tuple[int, str] | None:
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.strip(" \t") and not line.lstrip(" \t").startswith("#"):
                return len(line) - len(line.lstrip(" \t")), line.lstrip(" \t")
            self.i += 1
        return None

    def node(self, min_indent: int) -> Any:
        nxt = self._next_content()
        if nxt is None or nxt[0] < min_indent:
            return None
        return self._seq(nxt[0]) if nxt[1][:2] in ("- ", "-") else self._map(nxt[0])

    def _map(self, indent: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while (nxt := self._next_content()) and nxt[0] == indent and not nxt[1].startswith("-"):
            key, sep, rest = nxt[1].partition(":")
            if not sep or (rest and not rest.startswith(" ")):
                raise YamlSubsetError(f"line {self.i + 1}: expected 'key: value'")
            self.i += 1
            rest = rest.strip(" \t")
            if rest:
                out[key.strip(" \t").strip("\"'")] = self._scalar(rest, indent)
                continue
            child = self._next_content()
            if child and (child[0] > indent or (child[0] == indent and child[1].startswith("-"))):
                out[key.strip(" \t")] = self.node(child[0])
            else:
                out[key.strip(" \t")] = None
        return out

    def _seq(self, indent: int) -> list[Any]:
        out: list[Any] = []
        while (nxt := self._next_content()) and nxt[0] == indent and nxt[1][:2] in ("- ", "-"):
            body = nxt[1][1:].lstrip(" \t")
            if not body:
                self.i += 1
                out.append(self.node(indent + 1))
                continue
            col = indent + len(nxt[1]) - len(body)
            if re.match(r"^[^\"'\[{][^:]*:( |$)", body) or body.startswith("- "):
                self.lines[self.i] = " " * col + body  # re-read the item as a nested block
                out.append(self.node(col))
            else:
                self.i += 1
                out.append(self._scalar(body, indent))
        return out

    def _continuation(self, parent_indent: int, keep_trailing: bool = False) -> list[str]:
        """The following lines indented deeper than the parent (blank ones kept)."""
        taken: list[str] = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.strip(" \t") and len(line) - len(line.lstrip(" \t")) <= parent_indent:
                break
            taken.append(line)
            self.i += 1
        while taken and not taken[-1].strip(" \t") and not keep_trailing:
            taken.pop()
            self.i -= 1
        return taken

    def _scalar(self, text: str, parent_indent: int) -> Any:
        if text[0] in "|>":
            return self._block_scalar(text, parent_indent)
        if text[0] in "\"'":
            q = text[0]
            pattern = r'"((?:[^"\\]|\\.)*)"' if q == '"' else r"'((?:[^']|'')*)'(?!')"
            segments = [text]
            while not re.match(pattern, "\n".join(segments), re.DOTALL):
                if self.i >= len(self.lines):
                    raise YamlSubsetError("unterminated quoted scalar")
                segments.append(self.lines[self.i].strip(" \t"))
                self.i += 1
            m = re.match(pattern, "\n".join(segments), re.DOTALL)
            assert m is not None
            if re.sub(r"\s+#.*$", "", m.string[m.end() :]).strip(" \t"):
                raise YamlSubsetError(f"line {self.i}: text after a quoted scalar")
            if q == "'":
                return _fold(m.group(1).split("\n")).replace("''", "'")
            parts = m.group(1).split("\n")
            joined = parts[0]
            for part in parts[1:]:  # a trailing backslash escapes the line break
                joined = joined[:-1] + part if joined.endswith("\\") else _fold([joined, part])
            return re.sub(
                r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", _unescape, joined
            )
        rows = [text] + [ln.strip(" \t") for ln in self._continuation(parent_indent)]
        for n, row in enumerate(rows):
            rows[n] = re.sub(r"(?:^|[ \t])#.*$", "", row).rstrip(" \t")
            if rows[n] != row:  # a comment ends a plain scalar
                if any(r and not r.startswith("#") for r in rows[n + 1 :]):
                    raise YamlSubsetError(f"line {self.i}: text after a comment")
                del rows[n + 1 :]
                break
        value = _fold(rows)
        if re.search(r":( |$)", value):  # a plain scalar cannot hold ": "
            raise YamlSubsetError(f"line {self.i}: unexpected 'key: value' in a scalar")
        if value in ("null", "~"):
            return None
        if value == "[]":
            return []
        if value == "{}":
            return {}
        if value[0] in "[{&*!":
            raise YamlSubsetError(f"line {self.i}: flow collections and tags are not supported")
        return value

    def _block_scalar(self, header: str, parent_indent: int) -> str:
        lines = self._continuation(parent_indent, keep_trailing="+" in header)
        body = [ln for ln in lines if ln.strip(" \t")]
        cut = min((len(ln) - len(ln.lstrip(" \t")) for ln in body), default=0)
        rows = [ln[cut:] for ln in lines]
        text = "\n".join(rows) if header[0] == "|" else _fold(rows)
        return text if "-" in header else text + "\n"  # strip, else clip / keep


def load_yaml(text: str) -> Any:
    """The document in `text`; YamlSubsetError unless every line was understood."""
    reader = _Reader(text)
    document = reader.node(0)
    if reader._next_content() is not None:  # a line the grammar above did not take
        raise YamlSubsetError(f"line {reader.i + 1}: unexpected indentation or syntax")
    return document
