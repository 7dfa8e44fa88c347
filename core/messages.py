"""Messages core builds around names and numbers, kept translatable without core knowing any language but Chinese.

``Msg("考点“%(site)s”已报满，请选择其他考点。", site=site.name)`` is the formatted Chinese sentence (a ``str``:
logs, tests and the back office use it as it is) and keeps ``template`` and ``params``, so the candidate
portal can show it in English (``candidate_portal/i18n.py``). ``pybabel extract -k Msg`` lists the templates.
"""
from __future__ import annotations

from datetime import date, datetime


class Msg(str):
    """A Chinese message with ``%(name)s`` placeholders; the value is the filled-in sentence."""

    template: str
    params: dict

    def __new__(cls, template: str, **params) -> Msg:
        self = super().__new__(cls, template % {k: _chinese(v) for k, v in params.items()} if params else template)
        self.template, self.params = template, params
        return self

    def __getnewargs_ex__(self):  # copy and pickle rebuild it from the template
        return (self.template,), self.params


def _chinese(value) -> str:
    """A parameter as the Chinese sentence writes it: lists joined with 、, dates as 2027年8月31日."""
    if isinstance(value, (list, tuple)):
        return "、".join(_chinese(v) for v in value)
    if isinstance(value, datetime):
        return value.strftime("%Y年%m月%d日 %H:%M")
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def dump(message: str):
    """A message for JSON storage (a draft): a Msg keeps its template and parameters, so it can be translated
    when it is shown again; other parameters than text and numbers are stored as their Chinese text."""
    if not isinstance(message, Msg):
        return message
    plain = (str, int, float, list, tuple)
    return {"template": message.template,
            "params": {k: v if isinstance(v, plain) else _chinese(v) for k, v in message.params.items()}}


def load(stored) -> str:
    """The message ``dump`` stored."""
    return Msg(stored["template"], **stored["params"]) if isinstance(stored, dict) else stored
