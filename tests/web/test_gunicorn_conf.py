"""gunicorn.conf.py's worker hook, as gunicorn itself loads it (in a fresh process: it freezes the collector)."""
from __future__ import annotations

import subprocess
import sys

import config

CHECK = """
import gc, runpy
from gunicorn.config import Config
cfg = Config()
for key, value in runpy.run_path("gunicorn.conf.py").items():
    if key in cfg.settings:
        cfg.set(key, value)
before = gc.get_freeze_count()
cfg.post_worker_init(None)
print(before, gc.get_freeze_count())
"""


def test_a_worker_moves_what_it_has_built_out_of_the_collectors_reach():
    result = subprocess.run([sys.executable, "-c", CHECK], cwd=config.BASE_DIR, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    before, after = map(int, result.stdout.split())
    assert before == 0 and after > 10_000  # the app's modules and objects: tens of thousands at least
