"""Joining PDF parts laid out one by one (batch printing, sign-in sheets) into one document with pypdf."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader, PdfWriter


def join(parts: list[Path], target: Path | None = None) -> bytes | None:
    """The parts as one PDF: written to ``target`` (and None returned), or returned as bytes."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(part))
    if target is not None:
        with open(target, "wb") as out:
            writer.write(out)
        return None
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def render_in_children(module: str, payloads: list[dict], parts: list[Path], workers: int,
                       finished: Callable[[int], None]) -> None:
    """Lay out part i by ``python -m <module> parts[i]`` reading ``payloads[i]`` as JSON on stdin, at most
    ``workers`` at a time (plain subprocesses: they work inside Celery's daemonic workers too)."""
    root = Path(__file__).resolve().parent.parent
    pending = list(range(len(payloads)))
    running: dict[int, subprocess.Popen] = {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                i = pending.pop(0)
                proc = subprocess.Popen([sys.executable, "-m", module, str(parts[i])], stdin=subprocess.PIPE,
                                        cwd=root)
                proc.stdin.write(json.dumps(payloads[i]).encode())
                proc.stdin.close()
                running[i] = proc
            for i, proc in list(running.items()):
                if proc.poll() is None:
                    continue
                del running[i]
                if proc.returncode != 0:
                    raise RuntimeError(f"{module} for part {i} exited with {proc.returncode}")
                finished(i)
            time.sleep(0.02)
    finally:
        for proc in running.values():
            proc.kill()
