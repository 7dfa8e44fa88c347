"""Demo people: one back-office account per role, and a few sample candidates.

The passwords are fixed (and reset by every `demo load`) so the printed ones always work; they are for
a demonstration database only. ID numbers are built with the GB 11643 checksum by core.demo.
"""
from datetime import date

PORTAL_URL = "http://127.0.0.1:{port}/"
BACKOFFICE_URL = "http://127.0.0.1:{port}/admin/"
CANDIDATE_PASSWORD = "Kaoshi-2027!"

# username, password, role (backoffice/roles.py), scope ("region", region code) or ("site", site code),
# first name, last name
STAFF = [
    ("admin", "Demo-admin-2027!", "国家管理员", None, "国家医学考试中心", "管理员"),
    ("beijing", "Demo-beijing-2027!", "考区管理员", ("region", "110000"), "北京考区", "管理员"),
    ("beijing_site", "Demo-site-2027!", "考点审核员", ("site", "1101"), "东城区考点", "审核员"),
    ("finance", "Demo-finance-2027!", "财务", ("region", "110000"), "北京考区", "财务"),
]

CANDIDATES = [
    dict(
        username="zhangwei", name="张伟", sex="M", birth_date=date(1996, 5, 14), doc_type="id_card",
        id_area="110105", id_seq="031", ethnic_group="汉族", military_identity="civilian",
        mobile="13910000001", email="zhangwei@example.com", address="北京市朝阳区和平街十二区3号楼",
        postcode="100013", work_unit=("110000", "北京协和医院"), department="内科", title="住院医师",
        title_date="2022-08", employment_status="在岗", practice_start="2019-08",
        educations=[dict(school="北京大学", level="本科", major="临床医学",
                         start_ym="2014-09", end_ym="2019-07", diploma_number="100011201905002345")],
        trainings=[dict(type="住院医师规范化培训", institution="北京协和医院", major="内科",
                        start_ym="2019-09", end_ym="2022-08", certificate_number="2022110100123")],
    ),
    dict(username="lina", name="李娜", sex="F", birth_date=date(1999, 11, 2), doc_type="id_card",
         id_area="500103", id_seq="042", ethnic_group="土家族", military_identity="civilian",
         mobile="13910000002", email="lina@example.com", address="重庆市渝中区袁家岗友谊路1号",
         postcode="400016", work_unit=("500000", "重庆医科大学附属第一医院"), department="口腔科",
         title="住院医师", title_date="2023-09", employment_status="在岗", practice_start="2022-08",
         educations=[dict(school="重庆医科大学", level="本科", major="口腔医学",
                          start_ym="2017-09", end_ym="2022-06", diploma_number="106311202205000456")]),
    # 专科 + 执业助理医师 certificate: the route to 执业医师 after two years (rule R2)
    dict(username="wangfang", name="王芳", sex="F", birth_date=date(1988, 3, 20), doc_type="id_card",
         id_area="140402", id_seq="066", ethnic_group="汉族", military_identity="civilian",
         mobile="13910000003", email=None, address="山西省长治市潞州区延安南路161号", postcode="046000",
         work_unit=("140000", "长治医学院附属和平医院"), department="急诊科", title="医士",
         title_date="2012-06", employment_status="在岗", practice_start="2009-08",
         educations=[dict(school="长治医学院", level="专科", major="临床医学",
                          start_ym="2006-09", end_ym="2009-07", diploma_number="101176200906000789")],
         certificates=[dict(type="执业助理医师", issue_ym="2011-12", cert_number="201114110140402198803",
                            reg_ym="2012-03", reg_number="210140400012345")]),
    # 现役军人: the 军事医学 unit is added (rule R8); a military university is typed by hand
    dict(username="zhaojun", name="赵军", sex="M", birth_date=date(1994, 8, 8), doc_type="id_card",
         id_area="110108", id_seq="017", ethnic_group="回族", military_identity="active",
         mobile="13910000004", email="zhaojun@example.com", address="北京市海淀区复兴路28号",
         postcode="100853", work_unit=("110000", "中国人民解放军总医院"), department="普通外科",
         title="住院医师", title_date="2019-10", employment_status="在岗", practice_start="2017-08",
         educations=[dict(school="陆军军医大学", level="本科", major="临床医学",
                          start_ym="2012-09", end_ym="2017-07", diploma_number="900021201707000321")]),
    # Hong Kong resident with a 港澳居民来往内地通行证 (rule R9: the permit number is given)
    dict(username="chenjiaxin", name="陈嘉欣", sex="F", birth_date=date(1997, 6, 18),
         doc_type="hk_macau_permit", doc_number="H60218634", permit_number="H60218634",
         ethnic_group="汉族", military_identity="civilian", mobile="13910000005",
         email="chenjiaxin@example.com", address="福建省厦门市思明区镇海路55号", postcode="361003",
         work_unit=("350000", "厦门大学附属第一医院"), department="儿科", title="住院医师",
         title_date="2021-09", employment_status="在岗", practice_start="2020-08",
         educations=[dict(school="厦门大学", level="本科", major="临床医学",
                          start_ym="2015-09", end_ym="2020-07", diploma_number="103841202006000654")]),
    # 中医 graduate (rule R7: not for 临床 口腔 公共卫生); a minority name with the middle dot
    dict(username="ayiguli", name="阿依古丽·买买提", sex="F", birth_date=date(1993, 1, 25),
         doc_type="id_card", id_area="650102", id_seq="088", ethnic_group="维吾尔族",
         military_identity="civilian", mobile="13910000006", email=None,
         address="新疆乌鲁木齐市天山区延安路776号", postcode="830001",
         work_unit=("650000", "新疆维吾尔自治区维吾尔医医院"), department="维吾尔医内科", title="医师",
         title_date="2019-12", employment_status="在岗", practice_start="2016-08",
         educations=[dict(school="新疆医科大学", level="本科", major="中医学",
                          start_ym="2011-09", end_ym="2016-07", diploma_number="107601201607000987")]),
    # 当年毕业研究生: no diploma number yet; the 本科 entry is entered too (rule R6)
    dict(username="liuyang", name="刘洋", sex="M", birth_date=date(2001, 9, 9), doc_type="id_card",
         id_area="110102", id_seq="055", ethnic_group="满族", military_identity="civilian",
         mobile="13910000007", email="liuyang@example.com", address="北京市丰台区右安门外西头条10号",
         postcode="100069", work_unit=None, department=None, title=None, title_date=None,
         employment_status="当年毕业研究生", practice_start=None,
         educations=[dict(school="首都医科大学", level="本科", major="临床医学",
                          start_ym="2019-09", end_ym="2024-07", diploma_number="100251202407001234"),
                     dict(school="首都医科大学", level="硕士研究生", major="内科学",
                          start_ym="2024-09", end_ym="2027-07", diploma_number=None)]),
]
