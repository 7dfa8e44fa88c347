"""A worker ready before its first request: every template compiled at start, not by the first visitor to need it.

The first 409 (考点已满) answer in a fresh worker compiled the wizard's templates while it answered: ~65 ms of CPU
in that request, and at a deploy every worker does so at once (bench/submissions.py, docs/BENCHMARKS.md).
"""
from __future__ import annotations

from flask import Flask


def compile_templates(app: Flask) -> int:
    """Compile and cache every template the app's Jinja environment can find; returns how many."""
    names = app.jinja_env.list_templates()
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
