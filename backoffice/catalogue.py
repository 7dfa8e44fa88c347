"""考试目录: exams, exam years and registration windows, subjects, regions, sites, fees (rule settings:
backoffice/rules.py).

Times are entered and shown in Asia/Shanghai and stored as naive UTC; money is entered in yuan and
stored in integer fen. A 考区管理员 sees and edits only their own region, its sites and its fees.
"""
from __future__ import annotations

from decimal import Decimal

from flask import g, request
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import inspect as sa_inspect
from wtforms import BooleanField, DecimalField, SelectField
from wtforms.validators import InputRequired, NumberRange, StopValidation, ValidationError

from sqlalchemy import and_, select

from core.arrangement import bases
from core.db import db, shanghai_to_utc, to_shanghai
from core.models import ExamFamily, ExamSubject, ExamYear, Fee, Region, Site
from core.models.catalogue import FEE_ITEM_LABELS, LEVELS, ROUTES
from core.money import fen_to_yuan, yuan_to_fen
from core.services import audit, scope
from core.services.errors import DomainError
from core.services.staff_actions import check_capacity

from backoffice.base import ScopedModelView, scoped, shanghai, yes_no, yuan


def changes(item) -> tuple[dict, dict]:
    """The changed columns of an item not yet flushed: (before, after)."""
    state = sa_inspect(item)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            before[attr.key] = hist.deleted[0] if hist.deleted else None
            after[attr.key] = hist.added[0] if hist.added else None
    for rel in state.mapper.relationships:  # FAB's forms set a many-to-one (site.skills_base), not its id
        if rel.direction.name != "MANYTOONE" or len(rel.local_columns) != 1:
            continue
        column = next(iter(rel.local_columns)).key
        if column not in after and state.attrs[rel.key].history.has_changes():
            new = getattr(item, rel.key)
            if getattr(new, "id", None) != getattr(item, column):  # the column holds the value until the flush
                before[column], after[column] = getattr(item, column), getattr(new, "id", None)
    return before, after


def audit_change(item, action: str, changed: tuple[dict, dict] | None = None) -> None:
    """Audit an add/edit with the changed columns before and after (same transaction as the change);
    ``changed``: taken before a query flushed the item."""
    before, after = changed or changes(item)
    audit.record(action, actor_type="staff", actor_id=g.user.id, actor_name=g.user.username,
                 object_type=type(item).__tablename__, object_id=getattr(item, "id", None),
                 before=before or None, after=after or None)


class CatalogueView(ScopedModelView):
    """Audits every add, edit and delete; converts the Asia/Shanghai datetime columns."""

    shanghai_columns: tuple[str, ...] = ()

    def _to_utc(self, item):
        for col in self.shanghai_columns:
            if getattr(item, col, None) is not None:
                setattr(item, col, shanghai_to_utc(getattr(item, col)))

    def prefill_form(self, form, pk):
        for col in self.shanghai_columns:
            field = getattr(form, col, None)
            if field is not None and field.data is not None:
                field.data = to_shanghai(field.data).replace(tzinfo=None)

    def pre_add(self, item):
        self._to_utc(item)
        self.before_write(item)

    def pre_update(self, item):
        self._to_utc(item)
        changed = changes(item)  # before_write may query, and the autoflush would empty the history
        self.before_write(item)
        audit_change(item, f"catalogue.{type(item).__tablename__}.changed", changed)

    def post_add(self, item):
        audit_change(item, f"catalogue.{type(item).__tablename__}.added")
        self.datamodel.session.commit()

    def pre_delete(self, item):
        audit.record(f"catalogue.{type(item).__tablename__}.deleted", actor_type="staff", actor_id=g.user.id,
                     actor_name=g.user.username, obj=item)

    def before_write(self, item):
        """Hook for guards that need the whole item."""


_NATIONAL = ["can_list", "can_show", "can_add", "can_edit"]


class ExamFamilyView(CatalogueView):
    datamodel = SQLAInterface(ExamFamily)
    route_base = "/exam-families"
    class_permission_name = "ExamFamily"
    base_permissions = _NATIONAL
    list_title, show_title, add_title, edit_title = "考试", "考试", "新增考试", "修改考试"
    list_columns = add_columns = edit_columns = show_columns = ["code", "name"]
    label_columns = {"code": "代码", "name": "名称"}


def _window_order(form, field):
    opens = form.window_opens_at.data
    if opens and field.data and field.data <= opens:
        raise ValidationError("报名截止时间必须晚于报名开始时间。")


class ExamYearView(CatalogueView):
    datamodel = SQLAInterface(ExamYear)
    route_base = "/exam-years"
    class_permission_name = "ExamYear"
    base_permissions = _NATIONAL
    shanghai_columns = ("window_opens_at", "window_closes_at")
    list_title, show_title, add_title, edit_title = "考试年度与报名时间", "考试年度", "新增考试年度", "修改考试年度"
    list_columns = ["family", "year", "name", "window_opens_at", "window_closes_at", "cutoff_date"]
    add_columns = edit_columns = show_columns = search_columns = list_columns
    label_columns = {"subjects": "报考类别", "rule_settings": "资格规则设置", "route_settings": "报考途径设置",
                     "family": "考试", "year": "年度", "name": "名称",
                     "window_opens_at": "网上报名开始（北京时间）", "window_closes_at": "网上报名截止（北京时间）",
                     "cutoff_date": "工作年限计算截止日期"}
    formatters_columns = {"window_opens_at": shanghai, "window_closes_at": shanghai}
    validators_columns = {"window_closes_at": [_window_order]}
    description_columns = {"window_opens_at": "格式 YYYY-MM-DD HH:MM:SS，北京时间"}


class ExamSubjectView(CatalogueView):
    datamodel = SQLAInterface(ExamSubject)
    route_base = "/exam-subjects"
    class_permission_name = "ExamSubject"
    base_permissions = _NATIONAL
    list_title, show_title, add_title, edit_title = "报考类别", "报考类别", "新增报考类别", "修改报考类别"
    list_columns = ["exam_year", "code", "name", "category", "level", "route", "written_units"]
    add_columns = edit_columns = show_columns = list_columns + ["subcategory", "extra_units"]
    search_columns = ["exam_year", "code", "name", "category", "level"]
    label_columns = {"exam_year": "考试年度", "code": "代码", "name": "名称", "category": "类别",
                     "subcategory": "子类", "level": "级别", "route": "报考途径", "written_units": "医学综合单元数",
                     "extra_units": "加考单元"}
    add_form_extra_fields = edit_form_extra_fields = {
        "level": SelectField("级别", choices=[(v, v) for v in LEVELS]),
        "route": SelectField("报考途径", choices=[(v, v) for v in ROUTES]),
    }


class RegionView(CatalogueView):
    """考区: online payment open or not, and its deadline. A 考区管理员 edits only their own region."""

    datamodel = SQLAInterface(Region)
    route_base = "/regions"
    class_permission_name = "Region"
    base_permissions = _NATIONAL
    base_filters = scoped(scope.manageable_region_clause)
    shanghai_columns = ("payment_deadline",)
    list_title, show_title, add_title, edit_title = "考区", "考区", "新增考区", "修改考区设置"
    list_columns = ["code", "name", "online_payment_open", "payment_deadline"]
    show_columns = list_columns + ["fee_collection_note"]
    add_columns = show_columns
    edit_columns = ["online_payment_open", "payment_deadline", "fee_collection_note"]
    label_columns = {"sites": "考点", "code": "代码", "name": "名称", "online_payment_open": "开通网上缴费",
                     "payment_deadline": "缴费截止时间（北京时间）", "fee_collection_note": "其他缴费方式说明"}
    formatters_columns = {"online_payment_open": yes_no, "payment_deadline": shanghai}
    # FAB makes a non-nullable boolean "required", which would forbid "no": a plain checkbox instead.
    add_form_extra_fields = edit_form_extra_fields = {"online_payment_open": BooleanField("开通网上缴费")}


def posted_id(field) -> int | None:
    """The id a select posted, even one outside the choices offered (those leave ``field.data`` empty)."""
    try:
        return int(field.raw_data[0])
    except (TypeError, ValueError, IndexError):
        return None


def region_in_scope(message: str):
    """Field validator: the chosen region must be one the user manages (``scope.can_manage_region``).

    Its message replaces WTForms' generic 不是有效的选择 (a region outside the scope is not offered) and
    ends the field's checks, so the user reads why.
    """
    def check(form, field):
        region_id = posted_id(field)
        if region_id is not None and not scope.can_manage_region(g.user, region_id):
            field.errors[:] = []
            raise StopValidation(message)
    return check


def _capacity_not_below_taken(form, field):
    pk = (request.view_args or {}).get("pk")
    try:
        check_capacity(int(pk) if pk else None, field.data)
    except DomainError as exc:
        raise ValidationError(exc.message) from None


SITE_OUT_OF_SCOPE = "不能在您管理范围以外的考区设置考点。"


def _skills_bases_in_scope(user):
    """The 实践技能基地 offered in a site's form: sites in the user's scope marked 可承担实践技能."""
    return and_(scope.site_clause(user), Site.hosts_skills.is_(True))


def _skills_base_allowed(form, field):
    """Field validator: the posted base (even one outside the choices offered) follows
    core.arrangement.bases; its message replaces WTForms' generic 不是有效的选择."""
    base_id = posted_id(field)
    if base_id is None:
        return
    base = db.session.get(Site, base_id)
    site_id = (request.view_args or {}).get("pk")
    try:
        if base is None:
            raise DomainError(bases.OTHER_REGION)
        bases.check_skills_base(int(site_id) if site_id else None, posted_id(form.region), base)
    except DomainError as exc:
        field.errors[:] = []
        raise StopValidation(exc.message) from None


def _still_a_base(form, field):
    """Field validator: 可承担实践技能 stays ticked while other sites name this one as their base."""
    site_id = (request.view_args or {}).get("pk")
    if site_id:
        try:
            bases.check_still_a_base(int(site_id), bool(field.data))
        except DomainError as exc:
            raise ValidationError(exc.message) from None


class SiteView(CatalogueView):
    """考点 and their capacity (never below the seats taken)."""

    datamodel = SQLAInterface(Site)
    route_base = "/sites"
    class_permission_name = "Site"
    base_permissions = _NATIONAL
    base_filters = scoped(scope.site_clause)
    list_title, show_title, add_title, edit_title = "考点", "考点", "新增考点", "修改考点"
    list_columns = ["region", "code", "name", "capacity", "taken", "seats_left", "hosts_skills"]
    show_columns = ["region", "code", "name", "address", "capacity", "taken", "seats_left", "hosts_skills",
                    "skills_base"]
    add_columns = edit_columns = ["region", "code", "name", "address", "capacity", "hosts_skills", "skills_base"]
    search_columns = ["region", "code", "name"]
    label_columns = {"region": "考区", "code": "代码", "name": "名称", "address": "地址", "capacity": "容量",
                     "taken": "已占用", "seats_left": "剩余",
                     "hosts_skills": "可承担实践技能",
                     "skills_base": "实践技能基地（本考区可承担实践技能的考点；空：本考点）"}
    formatters_columns = {"hosts_skills": yes_no}
    # FAB marks a NOT NULL boolean as required (an unticked box was refused): a plain checkbox
    add_form_extra_fields = edit_form_extra_fields = {
        "hosts_skills": BooleanField("可承担实践技能（可作为实践技能基地）", validators=[_still_a_base])}
    validators_columns = {"capacity": [InputRequired("请填写容量。"), NumberRange(min=0, message="容量不能为负数。"),
                                       NumberRange(max=1_000_000, message="容量不能超过1000000。"),  # integer column
                                       _capacity_not_below_taken],
                          "region": [region_in_scope(SITE_OUT_OF_SCOPE)],
                          "skills_base": [_skills_base_allowed]}
    add_form_query_rel_fields = edit_form_query_rel_fields = {"region": scoped(scope.manageable_region_clause),
                                                              "skills_base": scoped(_skills_bases_in_scope)}
    search_form_query_rel_fields = {"region": scoped(scope.region_clause)}

    def before_write(self, item):
        """Defence in depth: the form's validator has already refused a region outside the scope."""
        region_id = item.region_id if item.region_id else getattr(item.region, "id", None)
        if not scope.can_manage_region(g.user, region_id):
            raise DomainError(SITE_OUT_OF_SCOPE)
        if item.skills_base is not None and item.skills_base is item:
            item.skills_base = None  # the site itself: the same as empty
        bases.check_skills_base(item.id, region_id, item.skills_base)  # the field's validator told the user
        bases.check_still_a_base(item.id, item.hosts_skills)


MAX_YUAN = Decimal(10_000_000)  # stored in fen in a 32-bit integer column


def _amount(form, field):
    if field.data is None or not field.data.is_finite() or field.data < 0:  # Decimal parses NaN, Infinity
        raise ValidationError("金额须为不小于0的数，单位元，最多两位小数。")
    if field.data >= MAX_YUAN:  # first: quantize() raises on a huge number such as 1e309
        raise ValidationError("金额须小于1000万元。")
    if field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError("金额最多两位小数（分）。")


FEE_OUT_OF_SCOPE = "不能为您管理范围以外的考区设置收费标准。"


def _fee_not_twin(form, field):
    """One fee per region, subject and item (the unique constraint behind it is the last resort)."""
    pk = (request.view_args or {}).get("pk")
    twin = db.session.scalar(select(Fee.id).where(
        Fee.region_id == form.region_id.data, Fee.subject_id == form.subject_id.data, Fee.item == field.data,
        Fee.id != (int(pk) if pk else 0)))
    if twin is not None:
        raise ValidationError("该考区、报考类别的这一收费项目已有收费标准，请修改原有记录。")


def _region_choices():
    rows = db.session.execute(select(Region.id, Region.name).where(scope.manageable_region_clause(g.user))
                              .order_by(Region.code)).all()
    return [(rid, name) for rid, name in rows]


def _subject_choices():
    rows = db.session.execute(select(ExamSubject.id, ExamYear.year, ExamSubject.code, ExamSubject.name)
                              .join(ExamYear).order_by(ExamYear.year.desc(), ExamSubject.code)).all()
    return [(sid, f"{year} {code} {name}") for sid, year, code, name in rows]


def _name_of(model):
    return lambda pk: (db.session.get(model, pk).name if pk and db.session.get(model, pk) else "")


class FeeView(CatalogueView):
    """收费标准 per region, subject and item: entered in yuan, stored in fen."""

    datamodel = SQLAInterface(Fee)
    route_base = "/fees"
    class_permission_name = "Fee"
    base_permissions = _NATIONAL + ["can_delete"]
    base_filters = scoped(lambda user: Fee.region_id.in_(select(Region.id).where(
        scope.manageable_region_clause(user))))
    list_title, show_title, add_title, edit_title = "收费标准", "收费标准", "新增收费标准", "修改收费标准"
    list_columns = show_columns = ["region_id", "subject_id", "item", "amount_fen"]
    add_columns = edit_columns = ["region_id", "subject_id", "item", "amount_yuan"]
    search_columns = ["item", "amount_fen"]
    label_columns = {"region_id": "考区", "subject_id": "报考类别", "item": "收费项目", "amount_fen": "金额（分）",
                     "amount_yuan": "金额（元）"}
    formatters_columns = {"amount_fen": yuan, "item": lambda i: FEE_ITEM_LABELS.get(i, i),
                          "region_id": _name_of(Region), "subject_id": _name_of(ExamSubject)}
    add_form_extra_fields = edit_form_extra_fields = {
        "region_id": SelectField("考区", coerce=int, choices=_region_choices,
                                 validators=[region_in_scope(FEE_OUT_OF_SCOPE)]),
        "subject_id": SelectField("报考类别", coerce=int, choices=_subject_choices),
        "item": SelectField("收费项目", choices=list(FEE_ITEM_LABELS.items()), validators=[_fee_not_twin]),
        "amount_yuan": DecimalField("金额（元）", places=2, validators=[InputRequired("请填写金额。"), _amount]),
    }

    def prefill_form(self, form, pk):
        item = self.datamodel.get(pk, self._base_filters)
        form.amount_yuan.data = fen_to_yuan(item.amount_fen)

    def before_write(self, item):
        """The amount is valid here (``_amount``); the scope is checked again as defence in depth."""
        item.amount_fen = yuan_to_fen(request.form["amount_yuan"])
        if not scope.can_manage_region(g.user, item.region_id):
            raise DomainError(FEE_OUT_OF_SCOPE)
