"""A child process that lays out one chunk of a batch of application forms (see forms_pdf).

    python -m reports.form_worker TARGET.pdf  < {"snapshots": [...], "photo_dir": "...", "mask_documents": false}
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from reports.application_form import render_chunk


def main() -> None:
    job = json.load(sys.stdin)
    render_chunk(job["snapshots"], Path(job["photo_dir"]), bool(job["mask_documents"]), Path(sys.argv[1]))


if __name__ == "__main__":
    main()
