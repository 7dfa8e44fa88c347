"""html-validate (npm, node_modules/html-validate, installed by scripts/setup.sh) over pages as the server sent
them; the rules are in .htmlvalidate.json (the recommended set without whitespace and style rules)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTML_VALIDATE = ROOT / "node_modules" / ".bin" / "html-validate"


def html_errors(pages: dict[str, str]) -> dict[str, list[str]]:
    """{url: html} → {url: ["rule: message @ line:column", …]}, one html-validate run for all pages."""
    with tempfile.TemporaryDirectory() as folder:
        files, report = {}, Path(folder) / "report.json"
        for n, (url, html) in enumerate(pages.items()):
            path = Path(folder) / f"{n}.html"
            path.write_text(html, encoding="utf-8")
            files[str(path)] = url
        run = subprocess.run([str(HTML_VALIDATE), "--config", str(ROOT / ".htmlvalidate.json"),
                              "--formatter", f"json={report}", *files], capture_output=True, text=True, cwd=ROOT)
        if os.environ.get("HTML_DUMP_DIR"):  # the pages, for a person to read (never in the repository)
            shutil.copytree(folder, os.environ["HTML_DUMP_DIR"], dirs_exist_ok=True)
        assert report.exists(), run.stderr  # node cuts a long stdout short; the report goes to a file
        found = {url: [] for url in pages}
        for result in json.loads(report.read_text(encoding="utf-8") or "[]"):
            found[files[result["filePath"]]] += [f"{m['ruleId']}: {m['message']} @ {m['line']}:{m['column']}"
                                                for m in result["messages"]]
        return found
