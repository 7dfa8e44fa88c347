"""GET /api/schools: pinyin initials, characters, Ministry code; JSON name, code, province, level."""
from core.db import db
from core.models import School
from core.pinyin import initials
from tests.factories import make_dictionaries


def names(client, q):
    response = client.get("/api/schools", query_string={"q": q})
    assert response.status_code == 200 and response.is_json
    return [s["name"] for s in response.get_json()]


def test_initials_find_the_school_first(client, app_ctx):
    make_dictionaries()
    assert names(client, "bjdx")[0] == "北京大学"
    assert names(client, "BJDX")[0] == "北京大学"
    assert set(names(client, "bj")) == {"北京大学", "北京卫生职业学院"}


def test_polyphonic_place_names(client, app_ctx):
    make_dictionaries()
    assert names(client, "cqyk") == ["重庆医科大学"]
    assert names(client, "cczyy") == ["长春中医药大学"]
    assert names(client, "xmdx") == ["厦门大学"]


def test_characters_and_codes(client, app_ctx):
    make_dictionaries()
    assert names(client, "医科") == ["首都医科大学", "重庆医科大学"]
    assert names(client, "4111010001") == ["北京大学"]
    assert names(client, "41110100") == ["北京大学", "清华大学", "首都医科大学"]


def test_json_fields(client, app_ctx):
    make_dictionaries()
    (row,) = client.get("/api/schools?q=bjdx").get_json()[:1]
    assert row["name"] == "北京大学" and row["code"] == "4111010001"
    assert row["province"] == "北京市" and row["level"] == "本科" and isinstance(row["id"], int)


def test_nothing_for_empty_or_unknown_and_wildcards_are_literal(client, app_ctx):
    make_dictionaries()
    assert names(client, "") == [] and names(client, "zzzz") == []
    assert names(client, "%") == [] and names(client, "_") == []


def test_at_most_ten_results(client, app_ctx):
    db.session.add_all([School(code=f"41000{n:05d}", name=f"北京第{n}学院", initials=initials(f"北京第{n}学院"))
                        for n in range(15)])
    db.session.commit()
    assert len(names(client, "北京第")) == 10


def test_answers_without_login(client, app_ctx):
    """The dictionary is public data: integrations use it too."""
    make_dictionaries()
    assert names(client, "qhdx") == ["清华大学"]


def test_work_unit_api_by_region_name_initials_and_licence(client, app_ctx):
    from core.models import Region
    dicts = make_dictionaries()
    region = Region(code="500000", name="重庆市")
    db.session.add(region)
    db.session.flush()
    dicts["units"][1].region_id = region.id
    db.session.commit()

    def units(**params):
        return [u["name"] for u in client.get("/api/work-units", query_string=params).get_json()]

    assert units(region=region.id) == ["重庆医科大学附属第一医院"]
    assert units(q="协和") == ["北京协和医院"]
    assert units(q="cqykdx") == ["重庆医科大学附属第一医院"]
    assert units(q="PDY00001") == ["北京协和医院"]
    assert units(q="协和", region=region.id) == []
    assert units() == []
