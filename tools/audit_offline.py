#!/usr/bin/env python3
"""Offline dependency audit against a vendored PyPA Advisory Database snapshot.

``python tools/audit_offline.py --python .venv/bin/python`` lists the
distributions installed in that interpreter's environment (editable installs,
i.e. qtnet itself, excluded; pip and setuptools included, which ``pip freeze``
hides), matches them against ``security/advisories/<package>/*.yaml`` (OSV
format, PEP 503 package names) and prints every advisory whose ECOSYSTEM
ranges or explicit ``versions`` list cover the installed version.

Exit status: 0 clean, 1 at least one installed version is affected, 2 the
advisory database is missing or unreadable.  No network access is needed;
the price is that the result is only as new as the snapshot, whose commit and
date are printed first.  ``--pip-audit-json FILE`` instead summarises a
``pip-audit -f json`` report (exit 0 clean or nothing audited, 1 vulnerable).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version


def _load_sibling(name: str) -> ModuleType:
    """tools/<name>.py, without putting tools/ on sys.path (its peers.py would
    shadow the tests' peers.py when the tests import this module)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


if TYPE_CHECKING:
    import osv_yaml
else:
    osv_yaml = _load_sibling("osv_yaml")
YamlSubsetError = osv_yaml.YamlSubsetError
load_yaml = osv_yaml.load_yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO / "security" / "advisories"
DB_ERROR = 2


def normalize(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


# -- matching ------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Finding:
    advisory_id: str
    package: str
    installed: str
    fixed: str
    aliases: tuple[str, ...]


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _range_affects(events: Sequence[dict[str, str]], installed: Version) -> bool:
    """OSV ECOSYSTEM range: walk the events in version order ("0" is the lowest)."""
    keyed = [
        (ver, kind)
        for event in events
        for kind, raw in event.items()
        if kind in ("introduced", "fixed", "last_affected")
        and (ver := _version(str(raw))) is not None
    ]
    affected = False
    for ver, kind in sorted(keyed, key=lambda k: k[0]):
        if kind == "introduced" and installed >= ver:
            affected = True
        elif (kind == "fixed" and installed >= ver) or (
            kind == "last_affected" and installed > ver
        ):
            affected = False
    return affected


def affected_by(advisory: dict[str, Any], name: str, version: str) -> Finding | None:
    """The finding if `version` of package `name` is affected by `advisory`."""
    if advisory.get("withdrawn"):
        return None
    installed = _version(version)
    aliases = tuple(str(a) for a in advisory.get("aliases") or ())
    for entry in advisory.get("affected") or ():
        package = entry.get("package") or {}
        if package.get("ecosystem") != "PyPI" or normalize(str(package.get("name"))) != name:
            continue
        listed = [str(v) for v in entry.get("versions") or ()]
        hit = version in listed or (installed is not None and installed in map(_version, listed))
        fixes: list[Version] = []
        for rng in entry.get("ranges") or ():
            if rng.get("type") != "ECOSYSTEM" or installed is None:
                continue
            events = rng.get("events") or ()
            hit = hit or _range_affects(events, installed)
            fixes += [v for e in events if (v := _version(str(e.get("fixed", "")))) is not None]
        if hit:
            later = [v for v in fixes if installed is None or v > installed]
            fixed = str(min(later)) if later else "-"
            return Finding(str(advisory.get("id")), name, version, fixed, aliases)
    return None


def load_advisories(db: Path, names: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Advisories per normalised name; raises OSError/YamlSubsetError if unreadable."""
    if not db.is_dir() or not any(db.glob("*/*.yaml")):
        raise OSError(f"no advisory files under {db}")
    dirs = {normalize(d.name): d for d in db.iterdir() if d.is_dir()}
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        files = sorted(dirs[name].glob("*.yaml")) if name in dirs else []
        out[name] = []
        for path in files:
            data = load_yaml(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or "id" not in data:
                raise YamlSubsetError(f"{path}: not an OSV advisory")
            out[name].append(data)
    return out


def audit(db: Path, installed: Sequence[tuple[str, str]]) -> tuple[list[Finding], int]:
    """(findings, number of advisories read) for the installed (name, version) pairs."""
    pairs = [(normalize(n), v) for n, v in installed]
    advisories = load_advisories(db, {n for n, _v in pairs})
    findings = [
        f for n, v in pairs for adv in advisories[n] if (f := affected_by(adv, n, v)) is not None
    ]
    return findings, sum(len(a) for a in advisories.values())


# -- installed distributions ---------------------------------------------------
_LIST_DISTS = """
import importlib.metadata as m, json
out = []
for d in m.distributions():
    direct = d.read_text("direct_url.json") or "{}"
    editable = bool(json.loads(direct).get("dir_info", {}).get("editable"))
    out.append([d.metadata["Name"], d.version, editable])
print(json.dumps(out))
"""


def installed_distributions(python: str) -> tuple[list[tuple[str, str]], list[str]]:
    """((name, version) of the non-editable distributions, editable names) of `python`."""
    raw = subprocess.run([python, "-c", _LIST_DISTS], capture_output=True, text=True, check=True)
    seen: dict[str, tuple[str, str]] = {}
    editable: list[str] = []
    for name, version, is_editable in json.loads(raw.stdout):
        if is_editable:
            editable.append(name)
        else:
            seen.setdefault(normalize(name), (name, version))
    return sorted(seen.values(), key=lambda nv: normalize(nv[0])), editable


def runtime_dependencies() -> list[str]:
    """qtnet's runtime requirements (plus the tls extra), from pyproject.toml."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - 3.10 ships no TOML reader
        import tomli as tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"].get("tls", [])
    return [normalize(re.split(r"[\s;<>=!~\[]", r, maxsplit=1)[0]) for r in reqs]


def _wrap(items: Sequence[str], width: int = 96) -> str:
    """Comma-separated items on indented lines, never splitting an item."""
    lines, line = [], ""
    for item in items:
        if line and len(line) + len(item) + 2 > width:
            lines.append(line + ",")
            line = ""
        line = f"{line}, {item}" if line else item
    return "\n".join("  " + ln for ln in [*lines, line])


def snapshot_line(db: Path) -> str:
    meta = db / "SNAPSHOT"
    fields = dict(ln.split(" ", 1) for ln in meta.read_text().splitlines() if " " in ln)
    return f"commit {fields.get('commit', '?')[:12]} of {fields.get('date', '?')}"


def print_table(findings: Sequence[Finding]) -> None:
    rows = [("ID", "PACKAGE", "INSTALLED", "FIXED IN", "ALIASES")]
    rows += [
        (f.advisory_id, f.package, f.installed, f.fixed, " ".join(f.aliases)) for f in findings
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[4])


def summarize_pip_audit(report: Path) -> int:
    deps = json.loads(report.read_text())["dependencies"]
    audited = [d for d in deps if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    print(f"pip-audit (online): audited {len(audited)} of {len(deps)} distributions", end="")
    if not audited:
        print(": inconclusive (no vulnerability data reachable), not counted")
        return 0
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"\n  {dep['name']} {dep['version']}: {ids}", end="")
    print(f"\n  {len(vulnerable)} vulnerable" if vulnerable else ": no known vulnerabilities")
    return 1 if vulnerable else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--python", action="append", default=[], help="interpreter to audit")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="advisory directory")
    parser.add_argument("--pip-audit-json", type=Path, help="summarise a pip-audit report")
    args = parser.parse_args(argv)
    if args.pip_audit_json:
        return summarize_pip_audit(args.pip_audit_json)
    pythons = args.python or [sys.executable]
    try:
        print(f"offline audit: PyPA advisory-database snapshot {snapshot_line(args.db)}")
    except OSError as exc:
        print(f"error: advisory database unreadable: {exc}", file=sys.stderr)
        return DB_ERROR
    worst = 0
    for python in pythons:
        installed, editable = installed_distributions(python)
        try:
            findings, count = audit(args.db, installed)
        except (OSError, YamlSubsetError, UnicodeDecodeError) as exc:
            print(f"error: advisory database unreadable: {exc}", file=sys.stderr)
            return DB_ERROR
        print(f"{python}: checked {len(installed)} distributions against {count} advisories")
        print(_wrap([f"{n} {v}" for n, v in installed]))
        have = {normalize(n): f"{n} {v}" for n, v in installed}
        runtime = [have.get(r, f"{r} (NOT INSTALLED, not checked)") for r in runtime_dependencies()]
        print(f"  qtnet runtime dependencies among them: {', '.join(runtime)}")
        if editable:
            print(f"  not checked (editable, this project): {', '.join(editable)}")
        if findings:
            print_table(findings)
        print(f"{python}: {len(findings)} known vulnerabilities as of the snapshot")
        worst = max(worst, 1 if findings else 0)
    return worst


if __name__ == "__main__":
    sys.exit(main())
