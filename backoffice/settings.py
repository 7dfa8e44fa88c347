"""Flask-AppBuilder's settings, all of them: the back office is the only FAB app. The platform's own
settings (config.py) come first; these are added when the back office is created (backoffice/__init__.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from flask_appbuilder.const import AUTH_DB

from backoffice.roles import FAB_ROLES, NATIONAL_ADMIN
from backoffice.security import password_complexity


def fab_settings(config: Mapping) -> dict:
    return dict(
        APP_NAME="国家医学考试网上报名 · 考务管理",
        AUTH_TYPE=AUTH_DB,
        # Permissions and roles are synced by `flask --app wsgi db upgrade` (and `roles sync`), never by
        # each worker at start-up; tables come only from Alembic.
        FAB_UPDATE_PERMS=False,
        FAB_CREATE_DB=False,
        FAB_ROLES=FAB_ROLES,
        AUTH_ROLE_ADMIN=NATIONAL_ADMIN,
        AUTH_ROLE_PUBLIC="Public",
        FAB_SECURITY_MANAGER_CLASS="backoffice.security.StaffSecurityManager",
        FAB_PASSWORD_COMPLEXITY_ENABLED=True,
        FAB_PASSWORD_COMPLEXITY_VALIDATOR=password_complexity,
        FAB_ADD_SECURITY_API=False,
        FAB_ADD_SECURITY_PERMISSION_VIEW=False,
        FAB_ADD_SECURITY_VIEW_MENU_VIEW=False,
        FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW=False,
        FAB_API_SWAGGER_UI=False,
        # FAB's login limit (Flask-Limiter), on/off with our own limits (RATELIMIT_ENABLED in config.py)
        AUTH_RATE_LIMITED=True,
        AUTH_RATE_LIMIT="10 per 5 minute",
        RATELIMIT_STORAGE_URI=config["REDIS_URL"] or "memory://",
        LOGOUT_REDIRECT_URL="/admin/login/",
        # FAB's zh catalogue first, then ours for the strings it lacks; the back office is Chinese only.
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).resolve().parent / "translations"),
        LANGUAGES={"zh": {"flag": "cn", "name": "中文"}},
    )
