"""Celery entry point, as wsgi.py is gunicorn's: it creates the Flask app and binds core.celery to it.

Start a worker beside the web servers (same environment: APP_ENV, DATABASE_URL, REDIS_URL ...):

    .venv/bin/celery -A celery_app worker --loglevel=info
    .venv/bin/celery -A celery_app beat     # one per deployment: the periodic jobs (core/celery.py)

The web app sends jobs to Celery when ``JOB_BACKEND=celery`` (or just ``REDIS_URL``) is set.
``JOB_HANDLER_MODULES`` (comma-separated) lists the modules whose job handlers the worker loads.
"""
import importlib
import sys

from sqlalchemy.pool import NullPool

import core.tasks  # noqa: F401  (the tasks the worker runs)
from config import ConfigurationError, load_config
from core.celery import init_app
from factory import create_app


def _create_flask_app():
    overrides = {}
    if load_config().SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": NullPool}
    return create_app(**overrides)


try:
    flask_app = _create_flask_app()  # not named `app`: Celery would take it for the Celery app
except ConfigurationError as exc:  # one sentence for the operator, no traceback
    print(f"配置错误（configuration error）: {exc}", file=sys.stderr)
    sys.exit(1)
for name in filter(None, (m.strip() for m in flask_app.config["JOB_HANDLER_MODULES"].split(","))):
    importlib.import_module(name)
celery = init_app(flask_app)
