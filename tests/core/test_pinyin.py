"""Pinyin initials for the school and work-unit pickers: polyphonic place names must come out right."""
import pytest

from core.pinyin import EXCEPTIONS_FILE, initials, read_exceptions_file


@pytest.mark.parametrize("name, expected", [
    # fixed by the exceptions file (pypinyin alone says zz, zy, dx)
    ("长治", "cz"), ("重医", "cy"), ("单县", "sx"),
    # kept right by pypinyin: the exceptions must not break them
    ("重庆", "cq"), ("长春", "cc"), ("厦门", "xm"), ("蚌埠", "bb"), ("长沙", "cs"),
    # in real names from the Ministry's list and the demo dictionary
    ("长治医学院", "czyxy"), ("重庆医科大学", "cqykdx"), ("长春中医药大学", "cczyydx"),
    ("厦门大学", "xmdx"), ("蚌埠医科大学", "bbykdx"), ("北京大学", "bjdx"), ("重医附一院", "cyfyy"),
    ("单县中心医院", "sxzxyy"), ("朝阳师范高等专科学校", "cysfgdzkxx"), ("上海市长宁区业余大学", "shscnqyydx"),
    ("西安交通大学长安学院", "xajtdxcaxy"), ("长海医院", "chyy"),
    # letters and digits kept, lower-cased; punctuation dropped
    ("解放军第301医院", "jfjd301yy"), ("WHO合作中心", "whohzzx"), ("（北京）", "bj"), ("", ""),
])
def test_initials(name, expected):
    assert initials(name) == expected


def test_exceptions_file_is_valid_and_holds_the_known_cases():
    pairs = read_exceptions_file()
    assert {"长治": "cz", "重医": "cy", "单县": "sx"}.items() <= pairs.items()
    assert all(len(p) == len(v) and v.isascii() and v.islower() for p, v in pairs.items())
    assert "version" in EXCEPTIONS_FILE.read_text(encoding="utf-8").splitlines()[1]


@pytest.mark.parametrize("line", ["长治 c", "长治 czy", "长治", "长治 cz x", "长治 长治", "长治 c1"])
def test_a_bad_exceptions_line_is_refused(tmp_path, line):
    path = tmp_path / "exceptions.txt"
    path.write_text(f"# comment\n重医 cy\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"exceptions.txt:3"):
        read_exceptions_file(path)


def test_comments_and_blank_lines_are_ignored(tmp_path):
    path = tmp_path / "exceptions.txt"
    path.write_text("# header\n\n重医 CY  # upper case is accepted\n", encoding="utf-8")
    assert read_exceptions_file(path) == {"重医": "cy"}
