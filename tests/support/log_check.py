"""No document number in the logs (tests/security): the handler tests/conftest.py installs for the whole run,
and the check it applies to every log record."""
from __future__ import annotations

import logging
import re

ID_RE = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
                   r"[0-9]{3}[0-9Xx](?![0-9])")


def is_id_number(s: str) -> bool:
    """An 18-character 居民身份证 number with a valid GB 11643 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(s, weights)) % 11] == s[17].upper()


class RunLog(logging.Handler):
    """Root handler at DEBUG: remembers every record (werkzeug's access log included) carrying an ID number."""

    leaks: list = []

    def emit(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken log call is not this check's business
            message = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            message += " " + str(record.exc_info[1])
        if any(is_id_number(m) for m in ID_RE.findall(message)):
            self.leaks.append(f"{record.name}: {message[:300]}")


def install_run_log():
    root = logging.getLogger()
    if not any(isinstance(h, RunLog) for h in root.handlers):
        root.addHandler(RunLog(logging.DEBUG))
    root.setLevel(logging.DEBUG)
