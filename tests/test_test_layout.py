"""The layout of the tests: no module imports a test module (``test_*``) or a ``conftest``.

Shared builders are in tests/factories.py, shared fixtures in conftest files and tests/fixtures/ (registered with
``pytest_plugins``, asked for by name), other shared helpers in tests/support/. Every file under tests/ is parsed;
imports inside functions count too.
"""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _forbidden(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    return last == "conftest" or last.startswith("test_")


def _imported(path: Path, tree: ast.AST):
    """(line, dotted name) of every module or name an import in the file brings in."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # `from tests.core import test_seats` imports the module test_seats
                yield node.lineno, f"{module}.{alias.name}"
        elif isinstance(node, ast.Call):  # importlib.import_module("tests.x.test_y"), __import__(...)
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytest_plugins" for t in node.targets):
            for item in ast.walk(node.value):
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    yield node.lineno, item.value


def test_no_module_imports_a_test_module_or_a_conftest():
    files = sorted(TESTS.rglob("*.py"))
    assert len(files) > 50 and TESTS / "conftest.py" in files  # the walk sees the suite
    found = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, dotted in _imported(path, tree):
            if _forbidden(dotted):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {dotted}")
    assert not found, ("helpers shared between test modules belong in tests/factories.py, a conftest or "
                       "tests/fixtures/ (fixtures, used by name) or tests/support/:\n  " + "\n  ".join(found))


def test_the_check_sees_the_forms_of_import():
    source = ("import tests.core.test_seats\n"
              "from tests.backoffice.conftest import world\n"
              "from tests.core import test_registration\n"
              "from .test_payment_pages import press_pay\n"
              "def f():\n    from tests.conftest import DB_URL\n"
              "importlib.import_module('tests.portal.test_login')\n"
              "from tests.factories import make_catalogue\n"
              "from tests.support.web import csrf_token_from\n")
    path = TESTS / "portal" / "example.py"
    found = {dotted for _, dotted in _imported(path, ast.parse(source)) if _forbidden(dotted)}
    assert found == {"tests.core.test_seats", "tests.backoffice.conftest", "tests.core.test_registration",
                     "tests.portal.test_payment_pages", "tests.conftest", "tests.portal.test_login"}
