"""字典: schools (with the Ministry's list upload), work units (Excel import), the majors dictionary (专业目录:
add, edit, disable, Excel/CSV import with a report row by row), training and certificate types, pinyin
exceptions. National administrators only. Pinyin initials are computed on write; every change is audited."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select
from wtforms.validators import Length, Regexp, ValidationError

from core.db import db
from wtforms import BooleanField, SelectField

from core.eligibility.majors import MAJOR_CATEGORIES
from core.models import CertificateType, Major, PinyinException, Region, School, TrainingType, WorkUnit
from core.services.majors import CODE_RE, MAJOR_LEVELS
from core.pinyin import initials, load_exceptions
from core.services.errors import DomainError

from backoffice.base import yes_no
from backoffice.catalogue import CatalogueView, _name_of

def _all_regions():
    return [(rid, name) for rid, name in db.session.execute(select(Region.id, Region.name).order_by(Region.code))]


_FULL = ["can_list", "can_show", "can_add", "can_edit"]


class _WithInitials(CatalogueView):
    def before_write(self, item):
        item.initials = initials(item.name)


class _Importing(_WithInitials):
    """A dictionary with an upload page calling the same importer as the command line."""

    import_title = ""
    accept = ""

    def read_rows(self, data: bytes, filename: str) -> list[dict]:
        raise NotImplementedError

    def upsert(self, rows: list[dict], **actor) -> dict:
        raise NotImplementedError

    @expose("/import", methods=["GET", "POST"])
    @has_access
    def upload(self):
        error = None
        if request.method == "POST":
            file = request.files.get("file")
            if file is None or not file.filename:
                error = "请选择要上传的文件。"
            else:
                try:
                    rows = self.read_rows(file.read(), file.filename)
                    counts = self.upsert(rows, actor_type="staff", actor_id=g.user.id,
                                         actor_name=g.user.username)
                    flash(f"导入完成：新增 {counts['added']} 条，更新 {counts['updated']} 条，"
                          f"未变 {counts['unchanged']} 条。", "success")
                    return redirect(url_for(".list"))
                except DomainError as exc:
                    db.session.rollback()
                    error = exc.message
        return self.render_template("backoffice/upload.html", title=self.import_title, error=error,
                                    accept=self.accept), (422 if error else 200)


class SchoolView(_Importing):
    datamodel = SQLAInterface(School)
    route_base = "/schools"
    class_permission_name = "School"
    base_permissions = _FULL + ["can_upload"]
    import_title = "上传教育部高等学校名单"
    accept = ".xls,.xlsx,.json"
    list_title, show_title, add_title, edit_title = "学校", "学校", "新增学校", "修改学校"
    list_columns = ["code", "name", "province", "city", "level", "initials"]
    show_columns = list_columns + ["department", "remark"]
    add_columns = edit_columns = ["code", "name", "province", "city", "department", "level", "remark"]
    search_columns = ["code", "name", "initials", "province"]
    label_columns = {"code": "学校标识码", "name": "学校名称", "province": "所在省份", "city": "所在地",
                     "department": "主管部门", "level": "办学层次", "remark": "备注", "initials": "拼音首字母"}
    validators_columns = {"code": [Regexp(r"^\d{10}$", message="学校标识码为10位数字。")]}

    def read_rows(self, data, filename):
        from core.schools_import import read_schools
        return read_schools(data, filename)

    def upsert(self, rows, **actor):
        from core.schools_import import upsert_schools
        return upsert_schools(rows, **actor)


class WorkUnitView(_Importing):
    datamodel = SQLAInterface(WorkUnit)
    route_base = "/work-units"
    class_permission_name = "WorkUnit"
    base_permissions = _FULL + ["can_upload"]
    import_title = "从Excel导入工作单位"
    accept = ".xlsx"
    list_title, show_title, add_title, edit_title = "工作单位", "工作单位", "新增工作单位", "修改工作单位"
    list_columns = show_columns = ["name", "region_id", "licence_code", "initials"]
    add_columns = edit_columns = ["name", "region_id", "licence_code"]
    search_columns = ["name", "initials", "licence_code"]
    label_columns = {"name": "单位名称", "region_id": "所在考区", "licence_code": "执业许可证登记号",
                     "initials": "拼音首字母"}
    formatters_columns = {"region_id": _name_of(Region)}
    add_form_extra_fields = edit_form_extra_fields = {
        "region_id": SelectField("所在考区", coerce=int, choices=_all_regions)}

    def before_write(self, item):
        item.licence_code = (item.licence_code or "").strip() or None  # blank is “none”, never a duplicate ""
        super().before_write(item)

    def read_rows(self, data, filename):
        from core.services.workunits_import import read_work_units
        return read_work_units(data, filename)

    def upsert(self, rows, **actor):
        from core.services.workunits_import import upsert_work_units
        return upsert_work_units(rows, **actor)


def _unique_major_code(form, field):
    code = (field.data or "").strip().upper()
    found = db.session.scalar(select(Major.id).where(Major.code == code))
    if found is not None and str(found) != str((request.view_args or {}).get("pk")):
        raise ValidationError("该专业代码已在专业目录中。")


class MajorView(_WithInitials):
    """专业目录: a major's code, name, level, R7 专业类别 and 启用 (停用: no longer offered to candidates;
    educations naming it keep it, so a major is disabled, never deleted)."""

    datamodel = SQLAInterface(Major)
    route_base = "/majors"
    class_permission_name = "Major"
    base_permissions = _FULL + ["can_upload"]
    list_title, show_title, add_title, edit_title = "专业目录", "专业", "新增专业", "修改专业"
    list_template = "backoffice/majors_list.html"
    list_columns = ["code", "name", "level", "category", "ministry_class", "active"]
    show_columns = list_columns + ["edition", "initials"]
    add_columns = edit_columns = ["code", "name", "level", "category", "ministry_class", "edition", "active"]
    search_columns = ["code", "name", "initials", "level", "category", "active"]
    order_columns = ["code", "name", "level", "category"]
    label_columns = {"code": "专业代码", "name": "专业名称", "level": "层次", "category": "专业类别（对应报考类别）",
                     "ministry_class": "所属专业类", "edition": "目录版本", "active": "启用", "initials": "拼音首字母"}
    description_columns = {"category": "决定该专业的学历可以报考哪些类别（见资格规则设置中的专业类别对照表）。",
                           "active": "停用后考生不能再选择该专业；已填写该专业的教育经历不受影响。"}
    formatters_columns = {"active": yes_no}
    validators_columns = {
        "code": [Regexp(CODE_RE, message="专业代码为4位或6位数字，可带T、K（如100301K、520102K、1051）。"),
                 _unique_major_code],
        "name": [Length(min=1, max=60, message="请填写专业名称（最多60个字）。")],
        "ministry_class": [Length(max=40, message="最多40个字。")],
        "edition": [Length(max=40, message="最多40个字。")]}
    add_form_extra_fields = edit_form_extra_fields = {
        "level": SelectField("层次", choices=[(v, v) for v in MAJOR_LEVELS]),
        "category": SelectField("专业类别（对应报考类别）", choices=[(v, v) for v in MAJOR_CATEGORIES]),
        "active": BooleanField("启用", default=True)}

    def before_write(self, item):
        item.code = item.code.strip().upper()
        item.ministry_class = (item.ministry_class or "").strip() or None
        item.edition = (item.edition or "").strip() or None
        super().before_write(item)

    @expose("/import", methods=["GET", "POST"])
    @has_access
    def upload(self):
        from core.services.majors_import import import_majors
        error, report = None, None
        if request.method == "POST":
            file = request.files.get("file")
            if file is None or not file.filename:
                error = "请选择要上传的文件。"
            else:
                try:
                    report = import_majors(file.read(), file.filename, actor_id=g.user.id,
                                           actor_name=g.user.username)
                except DomainError as exc:
                    db.session.rollback()
                    error = exc.message
        status = 422 if error or (report and not report.written) else 200
        return self.render_template("backoffice/majors_import.html", title="导入专业目录", error=error,
                                    report=report), status


class _CodeNameFlagView(CatalogueView):
    """A dictionary of code, name and one yes/no flag (培训类型, 证书类型): a subclass names the flag."""

    base_permissions = _FULL

    def __init_subclass__(cls, *, noun: str, flag: str, flag_label: str, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.list_title = cls.show_title = noun
        cls.add_title, cls.edit_title = f"新增{noun}", f"修改{noun}"
        cls.list_columns = cls.show_columns = cls.add_columns = cls.edit_columns = ["code", "name", flag]
        cls.label_columns = {"code": "代码", "name": "名称", flag: flag_label}
        cls.formatters_columns = {flag: yes_no}
        cls.add_form_extra_fields = cls.edit_form_extra_fields = {flag: BooleanField(flag_label)}


class TrainingTypeView(_CodeNameFlagView, noun="培训类型", flag="selectable_for_physician",
                       flag_label="医师资格考试可勾选"):
    datamodel = SQLAInterface(TrainingType)
    route_base = "/training-types"
    class_permission_name = "TrainingType"


class CertificateTypeView(_CodeNameFlagView, noun="证书类型", flag="qualifies_assistant",
                          flag_label="可作为中专报考执业医师的助理医师证书"):
    datamodel = SQLAInterface(CertificateType)
    route_base = "/certificate-types"
    class_permission_name = "CertificateType"


def _one_letter_per_character(form, field):
    if len(form.phrase.data or "") != len(field.data or ""):
        raise ValidationError("每个字对应一个拼音首字母（字数与字母数须相同）。")


class PinyinExceptionView(CatalogueView):
    """Phrases whose initials pypinyin gets wrong (长治 -> cz); effective at once in this worker."""

    datamodel = SQLAInterface(PinyinException)
    route_base = "/pinyin-exceptions"
    class_permission_name = "PinyinException"
    base_permissions = _FULL + ["can_delete"]
    list_title, show_title, add_title, edit_title = "拼音例外", "拼音例外", "新增拼音例外", "修改拼音例外"
    list_columns = show_columns = add_columns = edit_columns = ["phrase", "initials"]
    label_columns = {"phrase": "词语", "initials": "拼音首字母"}
    validators_columns = {"initials": [Regexp(r"^[A-Za-z]+$", message="拼音首字母只能是字母，每个字一个。"),
                                       _one_letter_per_character]}

    def before_write(self, item):
        item.initials = item.initials.lower()

    def post_add(self, item):
        super().post_add(item)
        reload_pinyin_exceptions()

    def post_update(self, item):
        reload_pinyin_exceptions()

    def post_delete(self, item):
        reload_pinyin_exceptions()


def reload_pinyin_exceptions() -> None:
    rows = db.session.execute(select(PinyinException.phrase, PinyinException.initials)).all()
    load_exceptions(dict(rows))
