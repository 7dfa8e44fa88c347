"""The project's own Python modules, for the tests that read the source (no import, no app)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _modules() -> dict[str, Path]:
    """Every module of every top-level package except tests, and the top-level .py files, by dotted name."""
    found = {path.stem: path for path in ROOT.glob("*.py")}
    for package in sorted(p.parent for p in ROOT.glob("*/__init__.py")):
        if package.name == "tests":
            continue
        for path in package.rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


@pytest.fixture(scope="session")
def project_modules() -> dict[str, Path]:
    return _modules()


@pytest.fixture(scope="session")
def project_trees(project_modules) -> dict[str, ast.Module]:
    return {name: ast.parse(path.read_text(encoding="utf-8"), str(path))
            for name, path in project_modules.items()}
