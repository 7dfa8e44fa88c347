"""准考证号 (admission number): 16 digits, year region site room seat (docs/arrangement.md).

    2027 11 0042 003 017
    |    |  |    |   seat (001-999)
    |    |  |    room number at the site (001-999, exam_rooms.number)
    |    |  site (sites.id, 0001-9999)
    |    region (first two digits of its GB/T 2260 code)
    exam year

A number is issued at publication and changes only with a recorded move (seat_moves).
"""
from __future__ import annotations

import re

PATTERN = re.compile(r"^\d{16}$")


def admission_number(year: int, region_code: str, site_id: int, room_number: int, seat: int) -> str:
    if not (0 < site_id <= 9999 and 0 < room_number <= 999 and 0 < seat <= 999):
        raise ValueError("site, room or seat outside the 准考证号 format")
    return f"{year:04d}{region_code[:2]}{site_id:04d}{room_number:03d}{seat:03d}"


def parts(number: str) -> dict[str, int | str] | None:
    """The fields of a well-formed number, else None."""
    if not PATTERN.match(number or ""):
        return None
    return {"year": int(number[:4]), "region": number[4:6], "site_id": int(number[6:10]),
            "room": int(number[10:13]), "seat": int(number[13:16])}
