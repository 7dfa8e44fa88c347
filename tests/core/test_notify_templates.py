"""Message templates and the SMS protocol: both languages, SMS length rules, Alibaba Cloud's signature."""
from __future__ import annotations

import re
import string

import pytest

from core.notify import aliyun_sms
from core.notify.templates import HIDDEN, LANGS, SMS_LIMIT, SMS_PARAM_LIMIT, TEMPLATES, render, scrub

# the longest values each parameter takes (registration number, amount, receipt, time, reason cut for SMS)
LONGEST = {"name": "欧阳娜娜娜娜娜娜", "number": "202711000200000001", "amount": "99999.00",
           "receipt": "JF202701010000000001", "time": "2027-12-31 23:59", "reason": "理" * 200,
           "date": "2027-12-31", "deadline": "2027-12-31 23:59", "code": "123456", "purpose": "验证联系方式"}
SIGN_NAME = "医学考试"


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_renders_in_both_languages_and_fits_one_sms(name):
    fields = {f for part in (TEMPLATES[name].text, TEMPLATES[name].sms, TEMPLATES[name].subject)
              for text in part.values() for _, f, _, _ in string.Formatter().parse(text) if f}
    for lang in LANGS:
        out = render(name, lang, {k: LONGEST[k] for k in fields})
        assert out.subject and out.text and "<p>" in out.html
        sms_length = len(out.sms) + len(f"【{SIGN_NAME}】")
        # Chinese: 70 characters per SMS; English (GSM 7-bit): 160
        assert sms_length <= (SMS_LIMIT if lang == "zh" else 160), (name, lang, out.sms)
        if lang == "en":
            assert not re.search(r"[\u4e00-\u9fff]", out.subject + out.sms)
    sms_fields = {f for text in TEMPLATES[name].sms.values() for _, f, _, _ in string.Formatter().parse(text) if f}
    assert all(len(LONGEST[f]) <= SMS_PARAM_LIMIT for f in sms_fields - {"reason"})


def test_html_is_escaped():
    out = render("registration_rejected", "zh", {"name": "<b>x</b>", "number": "1", "reason": "<script>"})
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html


def test_document_numbers_are_hidden_but_registration_numbers_kept():
    assert scrub("号码 11010519491231002X 不符") == f"号码 {HIDDEN} 不符"
    assert scrub("110105194912310021") == "110105194912310021"  # wrong check character: not an ID number
    assert scrub("护照 E12345678", hide=("E12345678",)) == f"护照 {HIDDEN}"
    assert scrub("护照 e12345678 与 E12345678", hide=("E12345678",)) == f"护照 {HIDDEN} 与 {HIDDEN}"  # any case
    out = render("registration_submitted", "zh", {"name": "张三", "number": "11010519491231002X"})
    assert "11010519491231002X" in out.text  # a parameter named number is the registration's


def test_signature_matches_alibaba_clouds_published_example():
    """The worked example of Alibaba Cloud's SMS signature documentation (secret testSecret)."""
    params = {"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
              "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
              "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
              "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
              "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25"}
    assert aliyun_sms.sign(params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_percent_encoding_is_rfc_3986():
    assert aliyun_sms.percent_encode("a b*~+/") == "a%20b%2A~%2B%2F"


@pytest.mark.parametrize("phone", ["", "1380013800", "23800138000", "1380013800a"])
def test_invalid_numbers_are_refused_before_any_request(phone):
    with pytest.raises(aliyun_sms.Refused):
        aliyun_sms.send_sms(endpoint="http://127.0.0.1:9/", access_key_id="k", access_key_secret="s", phone=phone,
                            sign_name="s", template_code="c", params={})
