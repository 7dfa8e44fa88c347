"""Every setting the code reads is declared in config.py (with its default and environment variable), and
only config.py reads the environment."""
from __future__ import annotations

import ast
import os
import subprocess
import sys

import config

# Read before any app exists, so not through config.py: gunicorn's own server settings (GUNICORN_*), and
# the sandbox bank's refusal of APP_ENV=production before it loads (and so checks) the configuration.
READS_ENVIRONMENT = {"config", "gunicorn.conf", "sandbox_bank"}


def _is_config(node: ast.expr) -> bool:
    """``app.config``, ``current_app.config``, or a name the code gives it (``config``, ``cfg``)."""
    return (isinstance(node, ast.Attribute) and node.attr == "config") or \
        (isinstance(node, ast.Name) and node.id in ("config", "cfg"))


def _keys_read(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_config(node.value):
            key = node.slice
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
              and _is_config(node.func.value) and node.args):
            key = node.args[0]
        else:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            yield key.value, node.lineno


def test_every_setting_read_is_declared_in_config(project_modules, project_trees):
    declared = {name for name in dir(config.Config) if name.isupper()}
    undeclared = sorted(f"{project_modules[m].relative_to(config.BASE_DIR)}:{line}: {key}"
                        for m, tree in project_trees.items() for key, line in _keys_read(tree)
                        if key not in declared)
    assert not undeclared, "settings read but not declared in config.Config:\n" + "\n".join(undeclared)


def test_the_scan_sees_every_way_of_reading_a_setting():
    tree = ast.parse("current_app.config['A']\napp.config.get('B', 1)\ncfg = x.config\ncfg['C']\n"
                     "config.get('D')\napp.config['E'] = 1\nrequest.args.get('F')\n")
    assert sorted(key for key, _ in _keys_read(tree)) == ["A", "B", "C", "D"]


def test_only_config_reads_the_environment(project_trees):
    readers = sorted(m for m, tree in project_trees.items() for node in ast.walk(tree)
                     if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
                     and isinstance(node.value, ast.Name) and node.value.id == "os")
    assert {m.split(".")[0] if m != "gunicorn.conf" else m for m in readers} <= READS_ENVIRONMENT, readers


def _job_backend(value: str) -> subprocess.CompletedProcess:
    """The configuration loaded in a fresh process with this JOB_BACKEND (config.py reads the environment)."""
    env = dict(os.environ, APP_ENV="test", JOB_BACKEND=value)
    code = "from config import load_config; print(load_config().JOB_BACKEND)"
    return subprocess.run([sys.executable, "-c", code], cwd=config.BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=60)


def test_job_backend_inline_from_the_environment_is_inline():
    result = _job_backend("inline")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "inline"


def test_an_unknown_job_backend_refuses_to_start():
    result = _job_backend("inlne")
    assert result.returncode == 1
    assert "ConfigurationError: JOB_BACKEND='inlne' is unknown" in result.stderr


def test_a_statistics_threshold_below_two_refuses_to_start():
    """STATISTICS_MIN_COUNT below 2 would suppress nothing in the de-identified statistics (docs/privacy.md)."""
    env = dict(os.environ, APP_ENV="test", STATISTICS_MIN_COUNT="1")
    code = "from config import load_config; print(load_config().STATISTICS_MIN_COUNT)"
    result = subprocess.run([sys.executable, "-c", code], cwd=config.BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1 and "STATISTICS_MIN_COUNT must be 2 or more" in result.stderr
