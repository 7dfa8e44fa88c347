"""A WSGI app for the admission-control test: /slow?s=N holds its thread N seconds (touching $SLOW_STARTED
first), anything else answers at once."""
from __future__ import annotations

import os
import time
from pathlib import Path


def app(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        Path(os.environ["SLOW_STARTED"]).touch()  # the test knows the thread is taken from here on
        time.sleep(float(environ.get("QUERY_STRING", "s=2").partition("=")[2] or 2))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"served " + environ["PATH_INFO"].encode()]
