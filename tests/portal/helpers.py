"""Helpers for portal tests: dictionaries, JPEG bytes, posting a page's form with its CSRF token."""
from __future__ import annotations

import io

from PIL import Image

from core.db import db
from core.models import CertificateType, School, TrainingType, WorkUnit
from core.pinyin import initials
from tests.conftest import csrf_token_from

SCHOOLS = [("4111010001", "北京大学", "北京市", "本科"), ("4111010023", "首都医科大学", "北京市", "本科"),
           ("4150010631", "重庆医科大学", "重庆市", "本科"), ("4122010161", "长春中医药大学", "吉林省", "本科"),
           ("4135010384", "厦门大学", "福建省", "本科"), ("4111010003", "清华大学", "北京市", "本科"),
           ("4111012345", "北京卫生职业学院", "北京市", "专科")]


def make_dictionaries() -> dict:
    """Schools, work units, training and certificate types, as the authority would load them."""
    schools = [School(code=c, name=n, province=p, level=lv, initials=initials(n)) for c, n, p, lv in SCHOOLS]
    units = [WorkUnit(name="北京协和医院", licence_code="PDY00001X11010517A1001", initials=initials("北京协和医院")),
             WorkUnit(name="重庆医科大学附属第一医院", licence_code="45038411050011211A1001",
                      initials=initials("重庆医科大学附属第一医院"))]
    residency = TrainingType(code="residency", name="住院医师规范化培训", selectable_for_physician=True)
    other = TrainingType(code="other", name="进修培训")
    assistant = CertificateType(code="assistant", name="执业助理医师", qualifies_assistant=True)
    township = CertificateType(code="assistant_township", name="执业助理医师（乡镇）")
    db.session.add_all([*schools, *units, residency, other, assistant, township])
    db.session.commit()
    return {"schools": {s.name: s for s in schools}, "units": units, "residency": residency,
            "other_training": other, "assistant": assistant, "township": township}


def jpeg(width: int = 120, height: int = 150, quality: int = 85, exif: bytes | None = None,
         colour=(200, 120, 80)) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", (width, height), colour)
    kwargs = {"quality": quality}
    if exif is not None:
        kwargs["exif"] = exif
    img.save(out, "JPEG", **kwargs)
    return out.getvalue()


def post_page(client, url: str, data: dict, page: str | None = None, **kw):
    """Post a form the way a browser does: take the CSRF token from the page (GET ``page`` or ``url``)."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token_from(html)}, **kw)


def text(response) -> str:
    return response.get_data(as_text=True)
