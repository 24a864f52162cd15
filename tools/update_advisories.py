#!/usr/bin/env python3
"""Refresh security/advisories/ from a PyPA Advisory Database git repository.

    git clone https://github.com/pypa/advisory-database /tmp/advisory-database
    .venv/bin/python tools/update_advisories.py /tmp/advisory-database

The source may be a checkout or a bare repository; files are read from its
HEAD commit with ``git show``, so a dirty work tree does not leak in.  Only
the advisories of the packages that matter here are copied: every
distribution installed in the ``--python`` interpreters (default: .venv) and
qtnet's runtime dependencies from pyproject.toml.  The directories of those
packages are replaced whole (a withdrawn or moved advisory disappears), the
others are left alone, and SNAPSHOT and README.md record the source commit.
When PyYAML is importable, every copied file is also parsed with it and
compared with tools/osv_yaml.py's reading, so the audit's small YAML reader
is checked on each refresh.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from audit_offline import (  # tools/ is sys.path[0] when this script runs
    DEFAULT_DB,
    REPO,
    installed_distributions,
    load_yaml,
    normalize,
    runtime_dependencies,
)

README = """\
# Vendored security advisories

`tools/audit_offline.py` (run by `make audit`) checks the installed
distributions against the advisory files in this directory, without network
access.  Each `<package>/PYSEC-*.yaml` file is an unmodified copy of
`vulns/<package>/` from the **PyPA Advisory Database**,
<https://github.com/pypa/advisory-database>, limited to the packages that
are installed in the development environment or are qtnet dependencies.

* Snapshot: commit `{commit}` of {date}.
* License: the advisory data is licensed under the Creative Commons
  Attribution 4.0 International license (CC-BY 4.0,
  <https://creativecommons.org/licenses/by/4.0/>); copyright the PyPA
  Advisory Database contributors.  The files are copied unchanged; qtnet's
  own license (MIT) does not apply to them.
* Refresh (then commit the result):

      git clone https://github.com/pypa/advisory-database /tmp/advisory-database
      .venv/bin/python tools/update_advisories.py /tmp/advisory-database

`SNAPSHOT` holds the same commit and date for the audit to print.  The audit
only knows advisories published before the snapshot date.
"""


def git(source: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(source), *args], capture_output=True, text=True, check=True
    ).stdout


def check_parser(path: Path) -> None:
    """Compare tools/osv_yaml.py with PyYAML (strings on both sides) if PyYAML exists."""
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        return
    text = path.read_text(encoding="utf-8")
    expected = yaml.load(text, Loader=yaml.BaseLoader)  # BaseLoader: every scalar a str
    if load_yaml(text) != expected:
        raise SystemExit(f"error: tools/osv_yaml.py reads {path} differently from PyYAML")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("source", type=Path, help="advisory-database checkout or bare repo")
    parser.add_argument("--python", action="append", default=[], help="environment to cover")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args()
    pythons = args.python or [str(REPO / ".venv" / "bin" / "python")]
    wanted = set(runtime_dependencies())
    for python in pythons:
        wanted |= {normalize(name) for name, _v in installed_distributions(python)[0]}
    commit, date = git(args.source, "log", "-1", "--format=%H %cI", "HEAD").split()
    listing = git(args.source, "ls-tree", "--name-only", "HEAD", "vulns/").split()
    available = {normalize(p.rsplit("/", 1)[1]): p for p in listing}
    args.db.mkdir(parents=True, exist_ok=True)
    copied = 0
    for name in sorted(wanted):
        target = args.db / name
        if target.exists():
            shutil.rmtree(target)
        if name not in available:
            continue
        target.mkdir()
        for src in git(
            args.source, "ls-tree", "--name-only", "HEAD", available[name] + "/"
        ).split():
            if src.endswith(".yaml"):
                dest = target / src.rsplit("/", 1)[1]
                dest.write_text(git(args.source, "show", f"HEAD:{src}"), encoding="utf-8")
                check_parser(dest)
                copied += 1
    (args.db / "SNAPSHOT").write_text(f"commit {commit}\ndate {date}\n")
    (args.db / "README.md").write_text(README.format(commit=commit, date=date))
    print(f"copied {copied} advisories for {len(wanted)} packages from {commit[:12]} ({date})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
