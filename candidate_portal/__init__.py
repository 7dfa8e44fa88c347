"""考生门户: the candidate-facing blueprint, served at / by the portal app (factory.py)."""
from __future__ import annotations

from flask import Blueprint, Flask, render_template, request
from flask_babel import Babel

bp = Blueprint("portal", __name__, template_folder="templates")


def _select_locale() -> str:
    return request.cookies.get("lang") if request.cookies.get("lang") in ("zh", "en") else "zh"


def init_portal(app: Flask) -> None:
    Babel(app, locale_selector=_select_locale, default_translation_directories="../translations")
    app.register_blueprint(bp)


@bp.get("/")
def index():
    return render_template("portal/index.html")
from candidate_portal import print_views  # noqa: E402,F401  (打印报名申请表)
from candidate_portal import payment_views  # noqa: E402,F401  (网上缴费)
