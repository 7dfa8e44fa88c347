"""A new candidate in a real browser: 注册, first login to 个人信息, all six groups (the school chosen by
typing its pinyin initials), a photo, 退出, login again to 首页, 安全设置 -> 修改密码."""
import re

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import Candidate
from tests.factories import id_number, jpeg, make_dictionaries

pytestmark = pytest.mark.browser
PASSWORD = "Kaoshi#2027pass"
NEW_PASSWORD = "Yisheng#2028new"


def log_in(page, base, password):
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("zhaoliu2027")
    page.locator("#f-password").fill(password)
    page.get_by_role("button", name="登录").click()


def log_out(page):
    page.locator("summary", has_text="赵六").click()
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已安全退出")).to_be_visible()


def test_candidate_journey(live_server, page, app_ctx, tmp_path):
    make_dictionaries()
    base = live_server

    # 注册
    page.goto(f"{base}/register")
    page.get_by_label("用户名").fill("zhaoliu2027")
    page.locator("#f-password").fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_label("姓名").fill("赵六")
    page.get_by_label("证件类型").select_option("id_card")
    page.get_by_role("textbox", name="证件号码").fill(id_number("19920304", "135"))
    page.get_by_label("民族").select_option("汉族")
    page.locator("#f-agree_notice").check()  # the privacy notice and, separately, the sensitive items
    page.locator("#f-agree_sensitive").check()
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("注册成功")).to_be_visible()

    # first login goes straight to 个人信息
    log_in(page, base, PASSWORD)
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.get_by_role("heading", name="基本信息")).to_be_visible()

    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_label("电子邮箱").fill("zhaoliu@example.com")
    page.get_by_label("通讯地址").fill("北京市东城区东单北大街1号")
    page.get_by_label("邮政编码").fill("100005")
    page.get_by_label("在岗情况").select_option("在岗")

    # the work-unit picker
    page.get_by_role("button", name="打开工作单位选择页").click()
    page.get_by_label("单位名称、拼音首字母或执业许可证登记号").fill("bjxh")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("button", name="北京协和医院").click()
    expect(page.locator("#f-work_unit_name")).to_have_value("北京协和医院")
    page.get_by_label("科室").fill("内科")
    page.locator("#f-title").fill("住院医师")
    page.get_by_label("获取职称年月").fill("2020-07")

    # 教育经历: the school by its pinyin initials, chosen with the keyboard
    school = page.get_by_role("combobox", name="毕业学校")
    school.click()
    school.press_sequentially("bjdx", delay=40)
    option = page.get_by_role("option", name=re.compile("^北京大学"))
    expect(option).to_be_visible()
    school.press("ArrowDown")
    school.press("ArrowUp")
    school.press("Enter")
    expect(school).to_have_value("北京大学")
    page.locator("#f-education-0-major").fill("临床医学")
    school.blur()
    expect(school).to_have_class(re.compile("valid-choice"))  # grey: a dictionary choice
    page.locator("#f-education-0-level").select_option("本科")
    page.locator("#f-education-0-study_mode").select_option("全日制")
    page.get_by_label("入学年月").fill("2010-09")
    page.get_by_label("毕业年月").fill("2015-07")
    page.get_by_label("毕业证书编号").fill("100011201505000123")

    # 培训经历 and 证书情况 with the add icon (nothing is saved yet)
    page.get_by_role("button", name="添加培训经历").click()
    page.get_by_label("培训类型").select_option(label="住院医师规范化培训")
    page.get_by_label("培训基地").fill("北京协和医院")
    page.get_by_label("开始年月").fill("2015-09")
    page.get_by_label("结束年月").fill("2018-08")
    page.get_by_role("button", name="添加证书").click()
    page.get_by_label("证书类型").select_option(label="执业助理医师")
    page.get_by_label("发证年月").fill("2016-12")
    page.locator("#f-certificate-0-cert_number").fill("201611110000001")
    expect(page.locator("#f-education-0-school_name")).to_have_value("北京大学")  # kept across re-renders

    # a refused 提交 keeps everything, then a good one saves
    page.get_by_label("邮政编码").fill("1000")
    page.get_by_role("button", name="提交", exact=True).last.click()
    expect(page.locator("#e-postcode")).to_contain_text("6位")
    expect(page.get_by_label("手机号码")).to_have_value("13912345678")
    expect(page.get_by_label("培训基地")).to_have_value("北京协和医院")
    page.get_by_label("邮政编码").fill("100005")
    page.get_by_role("button", name="提交", exact=True).last.click()
    expect(page.get_by_text("个人信息已提交保存")).to_be_visible()

    # 照片
    photo = tmp_path / "me.jpg"
    photo.write_bytes(jpeg())
    page.get_by_label("选择照片文件").set_input_files(str(photo))
    page.get_by_role("button", name="上传照片").click()
    expect(page.get_by_alt_text("本人照片")).to_be_visible()

    # 退出, login again: now 首页
    log_out(page)
    log_in(page, base, PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="首页")).to_be_visible()

    # 安全设置 from the menu at the top right
    page.locator("summary", has_text="赵六").click()
    page.locator(".usermenu").get_by_role("link", name="安全设置").click()
    page.locator("#f-current_password").fill(PASSWORD)
    page.locator("#f-new_password").fill(NEW_PASSWORD)
    page.get_by_label("确认新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_text("密码已修改")).to_be_visible()
    log_out(page)
    log_in(page, base, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="首页")).to_be_visible()

    db.session.expire_all()
    cand = db.session.scalar(db.select(Candidate).filter_by(username="zhaoliu2027"))
    assert cand.educations[0].school_name == "北京大学" and not cand.educations[0].school_manual
    assert cand.work_unit_name == "北京协和医院" and not cand.work_unit_manual
    assert cand.trainings[0].institution == "北京协和医院" and cand.certificates and cand.photo_path
