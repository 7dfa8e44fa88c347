"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``."""
import sys

from config import ConfigurationError
from factory import create_app

try:
    app = create_app()
except ConfigurationError as exc:  # one sentence for the operator, no traceback
    print(f"配置错误（configuration error）: {exc}", file=sys.stderr)
    sys.exit(1)
