"""Reading an uploaded Excel workbook (.xlsx): the first worksheet's rows, for the dictionary and room imports."""
from __future__ import annotations

import io


class UnreadableSheet(ValueError):
    """Not a workbook openpyxl can read (damaged, or another kind of file): callers say so in one sentence."""


def xlsx_rows(data: bytes, max_rows: int | None = None) -> list[list]:
    """The first worksheet's rows as lists of cell values (at most ``max_rows``)."""
    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True, max_row=max_rows)]
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - any parser failure means the same thing to the user
        raise UnreadableSheet from None
