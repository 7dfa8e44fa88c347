"""A child process that lays out some rooms' 签到表 and 门贴 (see admission_documents.sheets_pdf).

    python -m reports.sheets_worker TARGET.pdf  < {"sheets": [...]}   (rows carry their downscaled photo_uri)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from reports.admission_documents import render_sheets


def main() -> None:
    render_sheets(json.load(sys.stdin)["sheets"], Path(sys.argv[1]))


if __name__ == "__main__":
    main()
