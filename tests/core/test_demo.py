"""`flask --app wsgi demo load`: the demo catalogue, regions, dictionaries and accounts, idempotently."""
import re
from collections import Counter

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from core.db import Model, db, to_shanghai, utcnow
from core.models import (Candidate, CertificateType, Education, EligibilityRouteSetting, EligibilityRuleSetting,
                         EthnicGroup,
                         ExamSubject, ExamYear, Fee, Region, School, Site, StaffScope, Training,
                         TrainingType, WorkUnit)

TABLES = [t for t in Model.metadata.sorted_tables if t.name not in ("audit_log", "alembic_version")]


def load(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def test_demo_load_twice_then_repair(app_ctx, admin_app):
    """One test, three loads (each load costs seconds): idempotence, then every part of the data."""
    first_out = load(app_ctx)
    first = row_counts()
    second_out = load(app_ctx)
    assert row_counts() == first
    assert "新增" in first_out and "更新 0 条" in first_out
    assert "本次没有新增任何记录，原地更新 0 条" in second_out
    assert re.search(r"考区 32，考点 \d+，", second_out)
    for text in ("http://127.0.0.1:5000/", "http://127.0.0.1:5000/admin/", "Demo-admin-2027!",
                 "beijing_site", "Kaoshi-2027!"):
        assert text in second_out

    check_window_and_rules()
    check_subjects()
    check_regions_sites_payment_and_fees()
    check_dictionaries()
    check_candidates()
    check_load_repairs_a_changed_password_and_scope(app_ctx)
    check_staff(admin_app, second_out)  # last: failed login attempts are counted, and reset by a load


def check_window_and_rules():
    year = db.session.scalar(select(ExamYear).where(ExamYear.year == 2027))
    now = utcnow()
    assert year.window_opens_at < now < year.window_closes_at
    assert (year.window_closes_at - now).days >= 30
    assert to_shanghai(year.window_opens_at).hour == 8  # computed in Asia/Shanghai, stored UTC
    assert str(year.cutoff_date) == "2027-08-31"
    rules = {r.rule: r for r in db.session.scalars(select(EligibilityRuleSetting))}
    assert sorted(rules, key=lambda r: int(r[1:])) == [f"R{i}" for i in range(1, 12)]
    assert all(r.enabled for r in rules.values())
    assert rules["R1"].params["practice_years"] == 1 and rules["R2"].params["years_since_certificate"] == 2
    assert rules["R11"].params["enrolled_after"] == "2002-10-31"
    assert rules["R7"].params["table"]["口腔医学类"] == ["口腔"]
    routes = {r.route: r.open for r in db.session.scalars(select(EligibilityRouteSetting))}
    assert routes == {"physician_college": True, "physician_secondary": True, "assistant_secondary": True,
                      "apprentice": True}
    dental = db.session.scalar(select(Education).where(Education.major == "口腔医学"))
    assert (dental.major_category, dental.major_manual, dental.major_id is not None) == ("口腔医学类", False, True)


def check_subjects():
    subjects = {s.code: s for s in db.session.scalars(select(ExamSubject))}
    expected = {"110", "210", "120", "220", "130", "230", "341", "441",
                *(f"14{i}" for i in range(1, 6)), *(f"24{i}" for i in range(1, 6))}
    assert expected <= set(subjects)
    assert (subjects["110"].name, subjects["110"].category, subjects["110"].level) == ("临床执业医师", "临床", "执业医师")
    assert (subjects["142"].subcategory, subjects["441"].route) == ("中西医结合", "师承或确有专长")
    assert any(s.name == "乡村全科执业助理医师" for s in subjects.values())
    assert {s.written_units for s in subjects.values() if s.level == "执业医师"} == {4}
    assert {s.written_units for s in subjects.values() if s.level == "执业助理医师"} == {2}
    assert {s.extra_units for s in subjects.values()} == {"军事医学"}


def check_regions_sites_payment_and_fees():
    regions = db.session.scalars(select(Region)).all()
    assert len(regions) == 32 and "新疆生产建设兵团" in {r.name for r in regions}
    assert all(re.fullmatch(r"\d{6}", r.code) for r in regions)
    per_region = Counter(s.region_id for s in db.session.scalars(select(Site)))
    assert all(per_region[r.id] >= 2 for r in regions)
    assert all(100 <= s.capacity <= 5000 for s in db.session.scalars(select(Site)))
    beijing = next(r for r in regions if r.code == "110000")
    assert beijing.online_payment_open and beijing.payment_deadline > utcnow()
    closed = [r for r in regions if not r.online_payment_open]
    assert len(closed) >= 10 and all(r.fee_collection_note for r in closed)
    assert len(regions) - len(closed) >= 3

    fees = db.session.scalars(select(Fee)).all()
    assert fees and all(type(f.amount_fen) is int and f.amount_fen > 0 for f in fees)
    subjects = {s.id: s for s in db.session.scalars(select(ExamSubject))}
    skills = {subjects[f.subject_id].code: f.amount_fen for f in fees
              if f.region_id == beijing.id and f.item == "skills"}
    assert skills["120"] > skills["110"]  # 口腔 costs more
    items = {f.item for f in fees if f.region_id == beijing.id}
    assert items == {"registration", "skills", "written_unit"}


def check_dictionaries():
    schools = {s.name: s for s in db.session.scalars(select(School))}
    for name in ("北京大学", "首都医科大学", "长治医学院", "重庆医科大学", "长春中医药大学", "厦门大学", "蚌埠医科大学"):
        assert name in schools
    assert schools["长治医学院"].initials == "czyxy" and schools["长治医学院"].code == "4114010117"
    assert schools["重庆医科大学"].initials == "cqykdx" and schools["厦门大学"].province == "福建省"
    assert all(re.fullmatch(r"\d{10}", s.code) for s in schools.values())
    assert 40 <= len(schools) <= 80

    units = db.session.execute(select(WorkUnit.name, Region.name).join(Region)).all()
    assert {("北京协和医院", "北京市"), ("北京大学第一医院", "北京市")} <= set(units)
    assert len({region for _, region in units}) == 32
    assert db.session.scalar(select(WorkUnit.initials).where(WorkUnit.name == "北京协和医院")) == "bjxhyy"

    groups = dict(db.session.execute(select(EthnicGroup.code, EthnicGroup.name)).all())
    assert len(groups) == 56 and groups["01"] == "汉族" and groups["56"] == "基诺族"
    trainings = {t.name: t.selectable_for_physician for t in db.session.scalars(select(TrainingType))}
    assert [n for n, ok in trainings.items() if ok] == ["住院医师规范化培训"]
    certs = {c.name: c.qualifies_assistant for c in db.session.scalars(select(CertificateType))}
    assert certs["执业助理医师"] is True and certs["执业助理医师（乡镇）"] is False
    assert {"执业医师", "医师资格证书"} <= set(certs)


STAFF = [("admin", "国家管理员", None), ("beijing", "考区管理员", ("region", "北京市")),
         ("beijing_site", "考点审核员", ("site", "1101")), ("finance", "财务", ("region", "北京市"))]


def check_staff(admin_app, output):
    for username, role, scope in STAFF:
        user = db.session.scalar(select(User).where(User.username == username))
        assert [r.name for r in user.roles] == [role]
        scopes = db.session.scalars(select(StaffScope).where(StaffScope.user_id == user.id)).all()
        if scope is None:
            assert scopes == []
        elif scope[0] == "region":
            assert [s.region.name for s in scopes] == [scope[1]]
        else:
            assert [(s.site.code, s.site.region.name) for s in scopes] == [(scope[1], "北京市")]
        password = re.search(rf"^  {username} +(\S+)", output, re.M).group(1)
        with admin_app.app_context():
            assert admin_app.appbuilder.sm.auth_user_db(username, password) is not None, username
            assert admin_app.appbuilder.sm.auth_user_db(username, password + "x") is None


def gb11643_ok(number: str) -> bool:
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    return bool(re.fullmatch(r"\d{17}[\dX]", number)) and \
        "10X98765432"[sum(int(c) * w for c, w in zip(number, weights)) % 11] == number[17]


def check_candidates():
    from core.services import passwords
    people = {c.username: c for c in db.session.scalars(select(Candidate))}
    assert len(people) >= 5
    for cand in people.values():
        if cand.doc_type == "id_card":
            assert gb11643_ok(cand.doc_number), cand.username
            assert cand.doc_number[6:14] == f"{cand.birth_date:%Y%m%d}"
            assert int(cand.doc_number[16]) % 2 == (1 if cand.sex == "M" else 0)
        assert cand.mobile and re.fullmatch(r"1[3-9]\d{9}", cand.mobile)
    assert [c for c in people.values() if c.military_identity == "active"]
    hk = [c for c in people.values() if c.doc_type == "hk_macau_permit"]
    assert hk and re.fullmatch(r"[HM]\d{8}", hk[0].permit_number)
    assert passwords.verify(people["zhangwei"].password_hash, "Kaoshi-2027!")
    assert people["zhangwei"].work_unit_name == "北京协和医院" and people["zhangwei"].work_unit_id
    educations = db.session.scalars(select(Education)).all()
    assert {e.candidate_id for e in educations} == {c.id for c in people.values()}
    assert any(e.school_manual for e in educations)  # the military university, typed by hand
    training = db.session.scalar(select(Training))
    assert training.training_type.name == "住院医师规范化培训"


def check_load_repairs_a_changed_password_and_scope(app_ctx):
    from werkzeug.security import generate_password_hash
    user = db.session.scalar(select(User).where(User.username == "beijing"))
    user.password = generate_password_hash("forgotten")
    db.session.execute(StaffScope.__table__.delete().where(StaffScope.user_id == user.id))
    db.session.commit()
    out = load(app_ctx)
    assert "原地更新 1 条" in out
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(StaffScope)
                             .where(StaffScope.user_id == user.id)) == 1


def test_the_printed_addresses_use_the_port_the_demo_runs_on(capsys):
    from commands.demo import _print_logins
    _print_logins(5188)
    out = capsys.readouterr().out
    assert "http://127.0.0.1:5188/" in out and "http://127.0.0.1:5188/admin/" in out and ":5000" not in out
