"""Excel exports read back with openpyxl: the right rows, text-typed numbers, masking, scope."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from flask import current_app
from openpyxl import load_workbook
from PIL import Image

from core.models import Education, PaymentOrder, Refund, Registration
from core.registration.submission import submit_registration
from reports.exports import (EXPORTS, RegistrationFilters, count_rows, export, mask_phone)
from reports.scope import ReportScope
from tests.factories import id_number, make_candidate, make_catalogue, make_registration


@pytest.fixture
def two_regions(session):
    """Region A with three registrations (one abandoned, one draft), region B with one."""
    a, b = make_catalogue(), make_catalogue()
    regs = [make_registration(make_candidate(name="王𠮷", doc_number=id_number(seq="501"),
                                             mobile="13912345678"), a),
            make_registration(make_candidate(name="李四", doc_number=id_number(seq="502")), a,
                              payment_status="paid"),
            make_registration(make_candidate(name="赵五"), a, status="abandoned"),
            make_registration(make_candidate(name="钱六"), b)]
    draft = make_registration(make_candidate(name="孙七"), a, status="draft", number=None,
                              take_seat=False)
    draft.snapshot = None
    session.commit()
    return dict(a=a, b=b, regs=regs)


def _read(path):
    wb = load_workbook(path)
    return wb, [[c for c in row] for ws in wb.worksheets for row in ws.iter_rows(min_row=2)]


def _col(kind, header):
    return [c.header for c in EXPORTS[kind].columns].index(header)


def test_registrations_export_in_region_scope(app_ctx, two_regions, tmp_path):
    scope = ReportScope.of(region_ids=[two_regions["a"]["region"].id], full_documents=True)
    n = export("registrations", tmp_path / "r.xlsx", scope)
    wb, rows = _read(tmp_path / "r.xlsx")
    ws = wb.worksheets[0]
    assert ws.title == "报名信息"
    assert [c.value for c in ws[1]][:4] == ["报名号", "考试年度", "报考类别代码", "报考类别"]
    assert len([c for c in ws[1]]) == 25
    names = [r[_col("registrations", "姓名")].value for r in rows]
    assert n == 3 and names == ["王𠮷", "李四", "赵五"]  # not 钱六 (region B), not the draft
    first = rows[0]
    doc, phone = first[_col("registrations", "证件号码")], first[_col("registrations", "手机号码")]
    assert doc.value == id_number(seq="501") and doc.data_type == "s" and doc.number_format == "@"
    assert phone.value == "13912345678" and phone.data_type == "s"
    assert first[_col("registrations", "报名号")].data_type == "s"
    assert first[_col("registrations", "报名状态")].value == "已提交"
    assert rows[1][_col("registrations", "缴费状态")].value == "已缴费"
    assert first[_col("registrations", "性别")].value == "男"
    assert isinstance(first[_col("registrations", "出生日期")].value, datetime)


def test_masked_unless_the_role_may_see_documents(app_ctx, two_regions, tmp_path):
    scope = ReportScope.of(site_ids=[two_regions["a"]["site"].id], full_documents=False)
    export("registrations", tmp_path / "m.xlsx", scope)
    _, rows = _read(tmp_path / "m.xlsx")
    doc = rows[0][_col("registrations", "证件号码")].value
    full = id_number(seq="501")
    assert doc == full[:6] + "********" + full[-4:]
    assert rows[0][_col("registrations", "手机号码")].value == "139****5678"
    assert all(full not in str(c.value) for r in rows for c in r)


def test_empty_scope_exports_only_the_header(app_ctx, two_regions, tmp_path):
    assert export("registrations", tmp_path / "e.xlsx", ReportScope()) == 0
    wb = load_workbook(tmp_path / "e.xlsx")
    assert wb.worksheets[0].max_row == 1


def test_filters_narrow_the_rows(app_ctx, two_regions, tmp_path):
    national = ReportScope.everything()
    assert count_rows("registrations", national) == 4
    assert count_rows("registrations", national, RegistrationFilters(payment_status="paid")) == 1
    assert count_rows("registrations", national, RegistrationFilters(status="abandoned")) == 1
    b_site = two_regions["b"]["site"].id
    assert count_rows("registrations", national, RegistrationFilters(site_id=b_site)) == 1
    f = RegistrationFilters.from_params({"exam_year_id": str(two_regions["a"]["year"].id), "status": ""})
    assert f.to_params() == {"exam_year_id": two_regions["a"]["year"].id}
    assert count_rows("registrations", national, f) == 3
    with pytest.raises(ValueError):
        RegistrationFilters.from_params({"status": "hacked'"})


def test_rolls_over_to_a_new_sheet_beyond_the_row_limit(app_ctx, two_regions, tmp_path):
    # limit 3 = header + 2 rows per sheet; 4 rows -> 2 sheets; batches of 1 exercise the keyset
    n = export("registrations", tmp_path / "s.xlsx", ReportScope.everything(), max_rows_per_sheet=3,
               batch_size=1)
    wb = load_workbook(tmp_path / "s.xlsx")
    assert n == 4
    assert wb.sheetnames == ["报名信息", "报名信息（续1）"]
    assert [ws.max_row for ws in wb.worksheets] == [3, 3]
    assert wb.worksheets[1]["A1"].value == "报名号"
    numbers = [ws.cell(r, 1).value for ws in wb.worksheets for r in range(2, ws.max_row + 1)]
    assert numbers == [r.number for r in two_regions["regs"]]


def test_candidates_export_scope_and_masking(app_ctx, two_regions, tmp_path):
    scope = ReportScope.of(region_ids=[two_regions["b"]["region"].id])
    export("candidates", tmp_path / "c.xlsx", scope)
    _, rows = _read(tmp_path / "c.xlsx")
    assert [r[0].value for r in rows] == ["钱六"]
    assert "*" in rows[0][_col("candidates", "证件号码")].value
    export("candidates", tmp_path / "all.xlsx", ReportScope.everything())
    _, rows = _read(tmp_path / "all.xlsx")
    assert len(rows) == 5  # every account, the draft-only one too


def test_payments_and_refunds_export(app_ctx, session, two_regions, tmp_path):
    reg_a, reg_b = two_regions["regs"][1], two_regions["regs"][3]
    paid = PaymentOrder(registration_id=reg_a.id, out_trade_no="0000123456789", provider="sandbox",
                        amount_fen=52050, items=[], status="refunded", trade_no="20270105000001",
                        paid_at=datetime(2027, 1, 5, 2, 0))
    other = PaymentOrder(registration_id=reg_b.id, out_trade_no="B-1", provider="sandbox",
                         amount_fen=100, items=[], status="pending")
    session.add_all([paid, other])
    session.flush()
    session.add(Refund(order_id=paid.id, amount_fen=52050, status="done", reason="考生放弃报考",
                       executed_at=datetime(2027, 1, 6, 1, 0)))
    session.commit()
    export("payments", tmp_path / "p.xlsx", ReportScope.of(region_ids=[two_regions["a"]["region"].id]))
    _, rows = _read(tmp_path / "p.xlsx")
    assert len(rows) == 1
    row = {EXPORTS["payments"].columns[i].header: c for i, c in enumerate(rows[0])}
    assert row["订单号"].value == "0000123456789" and row["订单号"].data_type == "s"
    assert float(row["金额（元）"].value) == 520.5
    assert row["订单状态"].value == "已退费" and row["退费状态"].value == "已退费（原路退回）"
    assert row["支付时间"].value == datetime(2027, 1, 5, 10, 0)  # Beijing time
    assert row["退费原因"].value == "考生放弃报考"


def test_review_results_export(app_ctx, session, two_regions, tmp_path):
    reg = two_regions["regs"][0]
    reg.status, reg.reject_reason, reg.reviewed_at = "rejected", "学历证书与原件不符", datetime(2027, 2, 1)
    session.commit()
    n = export("reviews", tmp_path / "v.xlsx", ReportScope.everything(full_documents=False))
    _, rows = _read(tmp_path / "v.xlsx")
    assert n == 1
    assert rows[0][_col("reviews", "审核结果")].value == "审核未通过"
    assert rows[0][_col("reviews", "未通过原因")].value == "学历证书与原件不符"


def test_contact_data_is_masked_like_documents(app_ctx, session, tmp_path):
    cat = make_catalogue()
    make_registration(make_candidate(email="zhang.wei@example.com", address="北京市东城区东单北大街1号"), cat)
    session.commit()
    export("candidates", tmp_path / "m.xlsx", ReportScope.of(region_ids=[cat["region"].id]))
    _, rows = _read(tmp_path / "m.xlsx")
    assert rows[0][_col("candidates", "电子邮箱")].value == "zh***@example.com"
    assert rows[0][_col("candidates", "通讯地址")].value == "北京市东城区***"
    export("candidates", tmp_path / "full.xlsx", ReportScope.everything())
    _, rows = _read(tmp_path / "full.xlsx")
    assert rows[0][_col("candidates", "电子邮箱")].value == "zhang.wei@example.com"


def test_mask_phone():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone(None) is None


def test_text_that_looks_like_a_formula_stays_text(app_ctx, session, tmp_path):
    make_registration(make_candidate(name="=HYPERLINK(1)", email="=1+1"))
    session.commit()
    export("registrations", tmp_path / "f.xlsx", ReportScope.everything())
    _, rows = _read(tmp_path / "f.xlsx")
    name = rows[0][_col("registrations", "姓名")]
    assert name.value == "=HYPERLINK(1)" and name.data_type == "s"
    assert rows[0][_col("registrations", "电子邮箱")].data_type == "s"


# --- the registration export shows what was submitted ---------------------------------------------

def _submitted_registration(session):
    """A candidate who submits a 临床执业医师 registration through core (the snapshot is frozen then)."""
    cat = make_catalogue()
    photo = Path(current_app.config["PHOTO_DIR"]) / "test" / "export.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (120, 150), (200, 180, 160)).save(photo, "JPEG")
    cand = make_candidate(photo_path="test/export.jpg", mobile="13912345678", email="zhang@example.com",
                          employment_status="在岗", work_unit_name="北京协和医院", title="住院医师",
                          title_date="2020-07", practice_start="2020-07", military_identity="civilian")
    edu = Education(candidate_id=cand.id, school_name="北京大学", level="本科", study_mode="全日制",
                    major="临床医学", major_kind="西医", start_ym="2010-09", end_ym="2015-07",
                    diploma_number="100011201505000123")
    session.add(edu)
    session.flush()
    draft = Registration(candidate_id=cand.id, exam_year_id=cat["year"].id, subject_id=cat["subject"].id,
                         status="draft", draft_data={"done": ["basic", "work", "entries", "certificates", "site"],
                                                     "education_ids": [edu.id], "region_id": cat["region"].id,
                                                     "site_id": cat["site"].id, "attempts": 1})
    session.add(draft)
    session.commit()
    return cand, submit_registration(cand, draft.id, "export-token")


def test_the_registration_export_shows_the_submission_not_the_later_profile(app_ctx, session, tmp_path):
    cand, reg = _submitted_registration(session)
    # later, in the personal-information centre (and 本人身份 on the next registration's first step)
    cand.employment_status, cand.work_unit_name, cand.title = "待业", "某社区卫生服务中心", "主治医师"
    cand.mobile, cand.email, cand.military_identity = "13700000000", "new@example.com", "active"
    # staff correct the name after checking the originals (更正基本信息): the identity follows the record
    cand.name = "张叁"
    session.commit()

    export("registrations", tmp_path / "r.xlsx", ReportScope.everything())
    _, rows = _read(tmp_path / "r.xlsx")
    assert len(rows) == 1
    row = {EXPORTS["registrations"].columns[i].header: c.value for i, c in enumerate(rows[0])}
    assert row["报名号"] == reg.number
    assert {k: row[k] for k in ("在岗情况", "工作单位", "职称", "手机号码", "电子邮箱", "本人身份")} == {
        "在岗情况": "在岗", "工作单位": "北京协和医院", "职称": "住院医师", "手机号码": "13912345678",
        "电子邮箱": "zhang@example.com", "本人身份": "非现役军人"}
    assert row["姓名"] == "张叁" and row["证件号码"] == cand.doc_number


def _sheets(path):
    """Every sheet of a statistics export as {title: rows of values}, read back by openpyxl."""
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in load_workbook(path).worksheets}


def test_the_statistics_export_is_de_identified_and_national_only(app_ctx, two_regions, tmp_path):
    export("statistics", tmp_path / "s.xlsx", ReportScope.everything())
    sheets = _sheets(tmp_path / "s.xlsx")
    assert list(sheets)[0] == "说明" and "按性别" in sheets and "按年龄段" in sheets
    cells = {str(v) for rows in sheets.values() for row in rows for v in row}
    for reg in two_regions["regs"]:
        cand = reg.candidate
        assert not {cand.name, cand.doc_number, reg.number, cand.mobile, str(cand.birth_date)} & cells
    sex = sheets["按性别"]
    assert sex[0] == ["考试年度", "考区", "报考类别代码", "报考类别", "男", "女", "合计"]
    # region A: 3 registrations, region B: 1 — each row's total below 5: "<5", every cell hidden
    assert sorted(row[1] for row in sex[1:]) == sorted([two_regions["a"]["region"].name,
                                                        two_regions["b"]["region"].name])
    assert all(row[4:] == ["*", "*", "<5"] for row in sex[1:])
    export("statistics", tmp_path / "r.xlsx", ReportScope.of(region_ids=[two_regions["a"]["region"].id]))
    assert all(len(rows) == 1 for title, rows in _sheets(tmp_path / "r.xlsx").items() if title != "说明")


def test_the_statistics_export_suppresses_small_counts_in_the_real_file(app_ctx, session, tmp_path):
    """13 registrations of one region and subject: 12 men and 1 woman, 1 abandoned. The 1 is "<5"; the 12 is
    hidden too (13 − 12 would give it away); zeros stay; no cell of 1 … 4 anywhere in the file."""
    cat = make_catalogue()
    for i in range(13):
        make_registration(make_candidate(sex="F" if i == 0 else "M", doc_number=id_number(seq=f"{600 + i}")),
                          cat, status="abandoned" if i == 1 else "submitted")
    session.commit()
    export("statistics", tmp_path / "s.xlsx", ReportScope.everything())
    sheets = _sheets(tmp_path / "s.xlsx")
    assert sheets["按性别"][1][4:] == ["*", "<5", 13]
    status = dict(zip(sheets["按报名状态"][0], sheets["按报名状态"][1]))
    assert (status["已提交"], status["已放弃"], status["合计"]) == ("*", "<5", 13)
    assert status["审核通过"] == 0  # a zero singles nobody out
    assert sheets["按年龄段"][1][4:] == [0, 0, 0, 13, 0, 0, 13]  # born 1990, exam year 2027: 35-39
    for title, rows in sheets.items():
        for row in rows[1:] if title != "说明" else []:
            assert not any(isinstance(v, int) and 0 < v < 5 for v in row[4:]), (title, row)
    current_app.config["STATISTICS_MIN_COUNT"] = 14  # the threshold is a setting: now the whole row is small
    try:
        export("statistics", tmp_path / "t.xlsx", ReportScope.everything())
    finally:
        current_app.config["STATISTICS_MIN_COUNT"] = 5
    assert _sheets(tmp_path / "t.xlsx")["按性别"][1][4:] == ["*", "*", "<14"]
