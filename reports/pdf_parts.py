"""Joining PDF parts laid out one by one (batch printing, sign-in sheets) into one document with pypdf."""
from __future__ import annotations

import io
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
