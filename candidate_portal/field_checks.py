"""The red frame while typing (the guide: 格式有误或者非空的项会以红色框方式表现出来).

static/profile.js checks a field as the candidate leaves it: empty when it is required (the red *), or
not in the format core/validators.py accepts. The patterns below are written for JavaScript and
Python alike; tests/portal/test_field_checks.py holds them to the validators, and the messages are the
validators' own, so the frame says what 提交 would say.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import get_locale, gettext as _
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from candidate_portal.blueprint import bp

YM = r"^\d{4}-(0[1-9]|1[0-2])$"

# pattern, message, the field names (the last part after '-') it applies to, and what the validator
# removes before it checks (spaces in a mobile or permit number)
FORMATS = (
    (r"^1[3-9]\d{9}$", "手机号码应为以1开头的11位数字。", ("mobile",), r"[\s-]"),
    (r"^\d{6}$", "邮政编码应为6位数字。", ("postcode",), ""),
    (r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$",
     "电子邮箱格式不正确，如 name@example.com。", ("email",), ""),
    (YM, "年月格式应为YYYY-MM，中间加横杠，如2008-03。",
     ("start_ym", "end_ym", "issue_ym", "reg_ym", "title_date", "practice_start"), ""),
    (r"^([HMhm]\d{8}(\d{2})?|\d{8})$", "通行证号码格式不正确：港澳为H或M加8位数字，台湾为8位数字。",
     ("permit_number",), r"\s"),
)


@bp.app_template_global()
def field_checks() -> dict:
    """What profile.js needs, in the page's language (rendered as JSON by portal/_field_checks.html)."""
    return {"required": _("请填写%(label)s。"), "choose": _("请选择%(label)s。"),
            "formats": [{"pattern": pattern, "message": _(message), "names": list(names), "ignore": ignore}
                        for pattern, message, names, ignore in FORMATS]}


_AS_JSON: dict[str, Markup] = {}  # per language: the same on every page, so made once


@bp.app_template_global()
def field_checks_json() -> Markup:
    """``field_checks()|tojson`` (the same filter, the app's JSON), kept per language."""
    key = str(get_locale())
    if key not in _AS_JSON:
        _AS_JSON[key] = htmlsafe_json_dumps(field_checks(), dumps=current_app.json.dumps)
    return _AS_JSON[key]
