"""The one escaping path for every spreadsheet the platform writes (exports and statistics).

openpyxl stores a string starting with "=" as a live formula. A site name, a school or anything a person
typed must stay text: such a value becomes a string cell (``data_type = "s"``), shown as typed and never
evaluated.
"""
from __future__ import annotations

from openpyxl.cell import WriteOnlyCell


def safe(ws, value):
    """``value`` as it may go into ``ws.append`` of a write-only sheet."""
    if isinstance(value, str) and value[:1] == "=":
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value
