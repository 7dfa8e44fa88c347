"""Waking the delivery after a commit that queued messages (core/notify/outbox.py calls ``wake``).

The backend is the jobs' one (JOB_BACKEND, core/jobs.py): ``celery`` sends the ``medexam.notify_deliver``
task (Celery beat also runs it every 30 seconds, for retries and anything a lost wake-up missed); ``thread``
runs one delivery thread per process, which stays while messages wait for a retry; ``inline`` and
``NOTIFY_AUTO_DELIVER`` off (tests) wake nothing: ``delivery.deliver_due()`` is called by the caller.
A broker that cannot be reached only delays messages: they are in the table, and beat or the next
wake-up delivers them.
"""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app

from core.db import db

log = logging.getLogger(__name__)
MAX_IDLE_WAIT = 60.0  # seconds the delivery thread sleeps at most before looking again

_lock = threading.Lock()
_running: set[int] = set()  # ids of apps whose delivery thread runs
_again: set[int] = set()  # woken while running: one more round before stopping


def wake() -> None:
    config = current_app.config
    if not config["NOTIFY_AUTO_DELIVER"]:
        return
    backend = config["JOB_BACKEND"] or ("celery" if config["REDIS_URL"] else "thread")
    if backend == "celery":
        _send_task(config)
    elif backend == "thread":
        _start_thread(current_app._get_current_object())


def _send_task(config) -> None:
    from core.celery import DEFAULT_BROKER, celery
    try:
        with celery.connection_for_write(config["REDIS_URL"] or DEFAULT_BROKER) as conn:
            celery.send_task("medexam.notify_deliver", queue=config["JOB_QUEUE"], connection=conn)
    except Exception:  # noqa: BLE001 - the messages wait in the table for beat
        log.warning("notify: could not wake the Celery worker; beat will deliver", exc_info=True)


def _start_thread(app: Flask) -> None:
    with _lock:
        if id(app) in _running:
            _again.add(id(app))
            return
        _running.add(id(app))
    threading.Thread(target=_loop, args=(app,), name="notify-delivery", daemon=True).start()


def _loop(app: Flask) -> None:
    from core.notify import delivery
    with app.app_context():
        try:
            while True:
                delivery.deliver_due()
                wait = delivery.seconds_to_next()
                with _lock:
                    if id(app) in _again:
                        _again.discard(id(app))
                        continue
                    if wait is None:
                        _running.discard(id(app))
                        return
                time.sleep(min(max(wait, 0.05), MAX_IDLE_WAIT))
        except Exception:  # noqa: BLE001 - the thread ends; the next wake-up starts another
            log.exception("notify: delivery thread failed")
            with _lock:
                _running.discard(id(app))
        finally:
            db.session.remove()
