"""The end-of-run log check (tests/support/log_check.py, installed by tests/conftest.py) recognises a document
number and only a valid one."""
import logging

from tests.factories import id_number
from tests.support.log_check import ID_RE, RunLog, is_id_number


def test_the_check_recognises_a_valid_number_only():
    valid = id_number()
    wrong = valid[:17] + ("1" if valid[17] != "1" else "2")
    assert is_id_number(valid) and not is_id_number(wrong)
    assert ID_RE.findall(f"login for {valid}.") == [valid]
    assert ID_RE.findall("order 202711000000210001") == []  # not a date where the birth date is


def test_the_run_handler_is_installed_at_debug():
    root = logging.getLogger()
    handler = next(h for h in root.handlers if isinstance(h, RunLog))
    assert root.level == logging.DEBUG
    record = logging.LogRecord("x", logging.DEBUG, __file__, 1, "candidate %s", (id_number(),), None)
    before = len(RunLog.leaks)
    handler.emit(record)
    assert len(RunLog.leaks) == before + 1
    del RunLog.leaks[before:]  # the planted record is not a real leak
