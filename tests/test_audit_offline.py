"""tools/audit_offline.py: OSV range logic, the YAML subset reader, exit codes,
and one run over the vendored advisory snapshot and the test environment."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tool_loader import load_tool

audit_offline = load_tool("audit_offline")
osv_yaml = sys.modules["osv_yaml"]

REPO = Path(__file__).resolve().parent.parent
TOOL = REPO / "tools" / "audit_offline.py"
VENDORED = REPO / "security" / "advisories"


def advisory(
    adv_id: str,
    package: str,
    events: list[tuple[str, str]] | None = None,
    versions: list[str] | None = None,
    extra: str = "",
) -> str:
    """An OSV advisory in the layout the PyPA database uses."""
    text = f"id: {adv_id}\n{extra}aliases:\n- CVE-2099-{adv_id[-4:]}\naffected:\n"
    text += f"- package:\n    name: {package}\n    ecosystem: PyPI\n    purl: pkg:pypi/{package}\n"
    text += "  ranges:\n  - type: GIT\n    repo: https://example.invalid/x\n    events:\n"
    text += '    - introduced: "0"\n    - fixed: 0123456789abcdef0123456789abcdef01234567\n'
    if events is not None:
        text += "  - type: ECOSYSTEM\n    events:\n"
        text += "".join(f'    - {kind}: "{ver}"\n' for kind, ver in events)
    if versions is not None:
        text += "  versions:\n" + "".join(f'  - "{v}"\n' for v in versions)
    return text


def make_db(tmp_path: Path, files: dict[str, str]) -> Path:
    """files: {"<dir>/<ID>.yaml": text}; plus a SNAPSHOT like the vendored one."""
    db = tmp_path / "advisories"
    for rel, text in files.items():
        (db / rel).parent.mkdir(parents=True, exist_ok=True)
        (db / rel).write_text(text)
    db.mkdir(exist_ok=True)
    (db / "SNAPSHOT").write_text(
        "commit 0000000000000000000000000000000000000000\ndate 2099-01-01\n"
    )
    return db


def affected(db: Path, name: str, version: str) -> list[tuple[str, str]]:
    findings, _count = audit_offline.audit(db, [(name, version)])
    return [(f.advisory_id, f.fixed) for f in findings]


def test_introduced_fixed_range_and_the_fixed_version_itself(tmp_path: Path) -> None:
    db = make_db(
        tmp_path,
        {
            "demo/PYSEC-1.yaml": advisory(
                "PYSEC-1", "demo", [("introduced", "1.2"), ("fixed", "1.4.1")]
            )
        },
    )
    assert affected(db, "demo", "1.1.9") == []
    assert affected(db, "demo", "1.2") == [("PYSEC-1", "1.4.1")]
    assert affected(db, "demo", "1.2.0") == [("PYSEC-1", "1.4.1")]  # PEP 440: 1.2 == 1.2.0
    assert affected(db, "demo", "1.4.0") == [("PYSEC-1", "1.4.1")]
    assert affected(db, "demo", "1.4.1") == []  # exactly at `fixed`: not affected
    assert affected(db, "demo", "1.4.1.post1") == []
    assert affected(db, "demo", "10.0") == []  # numeric, not string, order


def test_introduced_zero_and_two_ranges_report_the_next_fix(tmp_path: Path) -> None:
    text = advisory("PYSEC-2", "demo", [("introduced", "0"), ("fixed", "2.0")])
    text += '  - type: ECOSYSTEM\n    events:\n    - introduced: "3.0"\n    - fixed: "3.2"\n'
    db = make_db(tmp_path, {"demo/PYSEC-2.yaml": text})
    assert affected(db, "demo", "0.1") == [("PYSEC-2", "2.0")]
    assert affected(db, "demo", "2.5") == []
    assert affected(db, "demo", "3.1") == [("PYSEC-2", "3.2")]
    assert affected(db, "demo", "3.2") == []


def test_last_affected_includes_that_version_only(tmp_path: Path) -> None:
    db = make_db(
        tmp_path,
        {
            "demo/PYSEC-3.yaml": advisory(
                "PYSEC-3", "demo", [("introduced", "1.0"), ("last_affected", "1.5")]
            )
        },
    )
    assert affected(db, "demo", "0.9") == []
    assert affected(db, "demo", "1.5") == [("PYSEC-3", "-")]  # no fix known
    assert affected(db, "demo", "1.5.1") == []


def test_explicit_versions_list_without_ranges(tmp_path: Path) -> None:
    db = make_db(
        tmp_path, {"demo/PYSEC-4.yaml": advisory("PYSEC-4", "demo", versions=["0.3", "0.5b1"])}
    )
    assert affected(db, "demo", "0.3") == [("PYSEC-4", "-")]
    assert affected(db, "demo", "0.3.0") == [("PYSEC-4", "-")]
    assert affected(db, "demo", "0.5b1") == [("PYSEC-4", "-")]
    assert affected(db, "demo", "0.4") == []
    assert affected(db, "demo", "0.5") == []


def test_prereleases_order_before_their_release(tmp_path: Path) -> None:
    db = make_db(
        tmp_path,
        {
            "demo/PYSEC-5.yaml": advisory(
                "PYSEC-5", "demo", [("introduced", "2.0"), ("fixed", "3.0")]
            )
        },
    )
    assert affected(db, "demo", "2.0b1") == []  # before the release that introduced it
    assert affected(db, "demo", "2.0rc1.post1") == []
    assert affected(db, "demo", "3.0rc1") == [("PYSEC-5", "3.0")]  # the fix is not out yet
    assert affected(db, "demo", "3.0.dev0") == [("PYSEC-5", "3.0")]
    assert affected(db, "demo", "3.0") == []


def test_names_are_normalised_per_pep_503(tmp_path: Path) -> None:
    text = advisory("PYSEC-6", "Zope.Interface", [("introduced", "0"), ("fixed", "5")])
    db = make_db(tmp_path, {"zope-interface/PYSEC-6.yaml": text})
    for spelling in ("zope.interface", "Zope_Interface", "ZOPE--interface", "zope-interface"):
        assert affected(db, spelling, "4.0") == [("PYSEC-6", "5")], spelling
    assert affected(db, "zopeinterface", "4.0") == []


def test_withdrawn_advisories_and_other_packages_do_not_count(tmp_path: Path) -> None:
    withdrawn = advisory(
        "PYSEC-7", "demo", [("introduced", "0")], extra='withdrawn: "2024-01-01T00:00:00Z"\n'
    )
    other = advisory("PYSEC-8", "other", [("introduced", "0")])
    db = make_db(tmp_path, {"demo/PYSEC-7.yaml": withdrawn, "demo/PYSEC-8.yaml": other})
    assert affected(db, "demo", "1.0") == []
    live = make_db(
        tmp_path / "b", {"demo/PYSEC-9.yaml": advisory("PYSEC-9", "demo", [("introduced", "0")])}
    )
    assert affected(live, "demo", "1.0") == [("PYSEC-9", "-")]


def test_yaml_subset_reader() -> None:
    text = textwrap.dedent(
        """\
        id: X-1
        details: "first line \\"quoted\\"\\nsecond
          continued\\
          glued\\_nbsp"
        summary: 'it''s plain
          folded

          with a break'
        plain: a plain scalar
          over two lines  # and a comment
        block: |+
          keep me

        affected:
        - package:
            name: demo
          versions:
          - "3.1"
          - 3.10
          empty: []
        nothing: null
        """
    )
    data = osv_yaml.load_yaml(text)
    assert data["id"] == "X-1"
    assert data["details"] == 'first line "quoted"\nsecond continuedglued\xa0nbsp'
    assert data["summary"] == "it's plain folded\nwith a break"
    assert data["plain"] == "a plain scalar over two lines"
    assert data["block"] == "keep me\n\n"
    assert data["affected"] == [
        {"package": {"name": "demo"}, "versions": ["3.1", "3.10"], "empty": []}
    ]
    assert data["nothing"] is None


@pytest.mark.parametrize(
    "bad",
    [
        "id: X\n  stray: indented\n",
        "id: X\nversions: [1, 2]\n",
        "id: 'open\n",
        "id: 'a' trailing\n",
    ],
)
def test_yaml_reader_refuses_what_it_does_not_understand(bad: str) -> None:
    with pytest.raises(osv_yaml.YamlSubsetError):
        osv_yaml.load_yaml(bad)


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_exit_codes_end_to_end(tmp_path: Path) -> None:
    pytest_version = importlib.metadata.version("pytest")
    vulnerable = advisory(
        "PYSEC-10", "pytest", [("introduced", "0"), ("fixed", pytest_version + ".post1")]
    )
    db = make_db(tmp_path / "v", {"pytest/PYSEC-10.yaml": vulnerable})
    done = run_tool("--python", sys.executable, "--db", str(db))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "PYSEC-10" in done.stdout and f"pytest {pytest_version}" in done.stdout
    assert "2099-01-01" in done.stdout  # the snapshot date is shown

    fixed = advisory("PYSEC-11", "pytest", [("introduced", "0"), ("fixed", pytest_version)])
    clean = run_tool(
        "--python",
        sys.executable,
        "--db",
        str(make_db(tmp_path / "c", {"pytest/PYSEC-11.yaml": fixed})),
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "PYSEC-11" not in clean.stdout

    assert run_tool("--db", str(tmp_path / "missing")).returncode == 2
    broken = make_db(tmp_path / "b", {"pytest/PYSEC-12.yaml": "id: X\n  stray: line\n"})
    done = run_tool("--python", sys.executable, "--db", str(broken))
    assert done.returncode == 2 and "unreadable" in done.stderr


def test_pip_audit_report_counts_only_when_something_was_audited(tmp_path: Path) -> None:
    report = tmp_path / "pip-audit.json"
    skipped = {"name": "demo", "skip_reason": "Dependency not found on PyPI"}
    report.write_text(json.dumps({"dependencies": [skipped], "fixes": []}))
    done = run_tool("--pip-audit-json", str(report))
    assert (
        done.returncode == 0 and "audited 0 of 1" in done.stdout and "inconclusive" in done.stdout
    )
    vuln = {
        "name": "demo",
        "version": "1.0",
        "vulns": [{"id": "PYSEC-13", "fix_versions": ["1.1"]}],
    }
    report.write_text(json.dumps({"dependencies": [skipped, vuln], "fixes": []}))
    done = run_tool("--pip-audit-json", str(report))
    assert done.returncode == 1 and "demo 1.0: PYSEC-13" in done.stdout


def test_vendored_snapshot_is_consistent() -> None:
    snapshot = (VENDORED / "SNAPSHOT").read_text().split()
    assert snapshot[0] == "commit" and len(snapshot[1]) == 40
    assert snapshot[1] in (VENDORED / "README.md").read_text()
    files = sorted(VENDORED.glob("*/*.yaml"))
    assert files
    for path in files:
        data = osv_yaml.load_yaml(path.read_text(encoding="utf-8"))
        assert data["id"] == path.stem
        names = {audit_offline.normalize(a["package"]["name"]) for a in data["affected"]}
        assert path.parent.name in names


def test_real_snapshot_over_the_test_environment() -> None:
    done = run_tool("--python", sys.executable)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    out = done.stdout
    assert "snapshot commit" in out
    installed, _editable = audit_offline.installed_distributions(sys.executable)
    assert len(installed) > 5
    for name, version in installed:
        assert f"{name} {version}" in out, name
    # An independent oracle: every advisory that lists the installed version
    # explicitly must be reported, and rc 1 exactly when something is.
    expected = set()
    for name, version in installed:
        pkg_dir = VENDORED / audit_offline.normalize(name)
        for path in sorted(pkg_dir.glob("*.yaml")) if pkg_dir.is_dir() else []:
            data = osv_yaml.load_yaml(path.read_text(encoding="utf-8"))
            if any(version in (a.get("versions") or []) for a in data["affected"]):
                expected.add(data["id"])
    for adv_id in expected:
        assert adv_id in out
    reported = [ln for ln in out.splitlines() if ln.startswith(("PYSEC-", "GHSA-"))]
    assert (done.returncode == 1) == bool(reported)
    assert {ln.split()[0] for ln in reported} >= expected
