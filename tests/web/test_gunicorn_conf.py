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


SWITCH = """
import sys
from gunicorn.workers.gthread import ThreadWorker
from web.admission import admission_worker
ThreadWorker.init_process = lambda self: None  # the worker's own start (signals, sockets, the loop) is not tested here
cls = admission_worker(4, "portal_session", 0, 0.001)
cls.__new__(cls).init_process()
print(sys.getswitchinterval())
"""


def test_the_admission_worker_sets_the_interpreters_switch_interval():
    result = subprocess.run([sys.executable, "-c", SWITCH], cwd=config.BASE_DIR, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert abs(float(result.stdout) - 0.001) < 1e-9  # Python's own default is 0.005
