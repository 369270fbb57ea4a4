"""The synthetic monorepo generator is deterministic and ssot-arch finds what it promises."""

from __future__ import annotations

import hashlib
from pathlib import Path

from benchmarks.synthetic import generate
from tests.helpers import check_json


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def test_same_seed_same_bytes_other_seed_other_tree(tmp_path):
    first = generate(str(tmp_path / "a"), 600, seed=7)
    second = generate(str(tmp_path / "b"), 600, seed=7)
    third = generate(str(tmp_path / "c"), 600, seed=8)
    assert first == second
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    assert tree_digest(tmp_path / "a") != tree_digest(tmp_path / "c")
    assert third.violations != first.violations


def test_ssot_arch_finds_exactly_the_promised_violations(tmp_path):
    manifest = generate(str(tmp_path), 1500, seed=3)
    run = check_json(tmp_path, "--no-cache")
    assert run.exit_code == 1
    found = sorted(
        (v["file"], v["line"], v["imported"]) for v in run.json["contracts"][0]["violations"]
    )
    assert found == manifest.violations
    coverage = run.json["coverage"]
    # Every file is analysed: parsed, or by its text alone (no restricted name in it).
    assert coverage["files_total"] == coverage["files_analyzed"] == manifest.files
    assert 0 < coverage["files_cleared_by_text"] < manifest.files
    assert manifest.namespace_folders >= 5  # the coverage gap import-linter has
    by_root = run.json["contracts"][0]["by_root"]
    assert {k: v["violations"] for k, v in by_root.items() if v["violations"]} == (
        manifest.by_service()
    )


def test_realistic_mix(tmp_path):
    manifest = generate(str(tmp_path), 3000, seed=1)
    violating = len({file for file, _, _ in manifest.violations})
    assert 0.12 < violating / manifest.files < 0.24  # the audit: 1,204 of 6,775 files
    assert {module for _, _, module in manifest.violations} == {"logging", "loguru", "structlog"}
    assert (tmp_path / "src" / "analytics_service" / "__init__.py").is_file()
