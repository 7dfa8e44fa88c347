"""The messages candidates receive: one entry per template, Chinese and English, e-mail subject and text (the
HTML part is built from the text), the SMS text and the SMS provider's template code.

Parameters are filled with ``str.format``; they are names, numbers of registrations, amounts and dates, never
a document number: ``render`` hides the candidate's own document numbers and anything in free text (a
reviewer's reason) that is a valid 18-character ID number, and a test checks every body sent.
SMS rules (Alibaba Cloud): one SMS is 70 characters including the 【签名】; each parameter at most 35
characters. ``SMS_LIMIT`` and ``SMS_PARAM_LIMIT`` hold them and a test checks every template.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from core.validators import id_check_char

SMS_LIMIT = 70  # characters of one SMS, signature included
SMS_PARAM_LIMIT = 35  # characters per template parameter
LANGS = ("zh", "en")
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")  # GB 11643: 18 characters
HIDDEN = "[证件号码已隐去]"


@dataclass(frozen=True)
class Template:
    essential: bool  # always to the 消息中心 and at least one channel, whatever the preferences
    sms_code: str  # the provider's approved template (SMS_TEMPLATE_CODES may map it to the real one)
    subject: dict[str, str]
    text: dict[str, str]
    sms: dict[str, str]


TEMPLATES: dict[str, Template] = {
    "registration_submitted": Template(
        False, "SMS_MEDEXAM_SUBMITTED",
        {"zh": "报名已提交", "en": "Registration submitted"},
        {"zh": "您好，{name}：您的报名（报名号 {number}）已提交。请在缴费截止前完成网上缴费，逾期未缴费报名失效。",
         "en": "Dear {name}, your registration {number} has been submitted. Please pay the fee online "
               "before the deadline; unpaid registrations expire."},
        {"zh": "报名{number}已提交，请按时缴费。", "en": "Registration {number} submitted; please pay in time."}),
    "registration_approved": Template(
        True, "SMS_MEDEXAM_APPROVED",
        {"zh": "资格审核通过", "en": "Registration approved"},
        {"zh": "您好，{name}：您的报名（报名号 {number}）已通过资格审核。",
         "en": "Dear {name}, your registration {number} has passed the qualification review."},
        {"zh": "报名{number}已通过资格审核。", "en": "Registration {number} approved."}),
    "registration_rejected": Template(
        True, "SMS_MEDEXAM_REJECTED",
        {"zh": "资格审核不通过", "en": "Registration not approved"},
        {"zh": "您好，{name}：您的报名（报名号 {number}）资格审核不通过。原因：{reason}。"
               "如已缴费，报名费将退回。详情请登录报名系统查看。",
         "en": "Dear {name}, your registration {number} did not pass the qualification review. "
               "Reason: {reason}. A fee already paid will be refunded. Please log in for details."},
        {"zh": "报名{number}审核不通过，请登录报名系统查看原因。",
         "en": "Registration {number} not approved; log in for the reason."}),
    "registration_abandoned": Template(
        False, "SMS_MEDEXAM_ABANDONED",
        {"zh": "已放弃报考", "en": "Registration withdrawn"},
        {"zh": "您好，{name}：您的报名（报名号 {number}）已放弃报考。如已缴费，报名费将退回。",
         "en": "Dear {name}, your registration {number} has been withdrawn. A fee already paid will be "
               "refunded."},
        {"zh": "报名{number}已放弃报考。", "en": "Registration {number} withdrawn."}),
    "registration_expired": Template(
        True, "SMS_MEDEXAM_EXPIRED",
        {"zh": "报名逾期未缴费已失效", "en": "Registration expired unpaid"},
        {"zh": "您好，{name}：您的报名（报名号 {number}）逾期未缴费，已失效，考位已释放。",
         "en": "Dear {name}, your registration {number} was not paid in time and has expired."},
        {"zh": "报名{number}逾期未缴费已失效。", "en": "Registration {number} expired unpaid."}),
    "correction_requested": Template(
        True, "SMS_MEDEXAM_CORRECTION",
        {"zh": "资格审核需补正材料", "en": "Documents to correct"},
        {"zh": "您好，{name}：您的报名（报名号 {number}）网上资格审核需要补正。审核意见：{reason}。"
               "请在 {deadline} 前登录报名系统，按要求重新上传材料并点“提交补正”；逾期未补正将按现有材料审核。",
         "en": "Dear {name}, the online qualification review of your registration {number} needs corrected "
               "documents. Reviewer's note: {reason}. Please log in before {deadline}, upload the documents "
               "again as asked and click “Submit corrections”; after the deadline the review goes on with "
               "the documents as they are."},
        {"zh": "报名{number}需补正材料，请于{deadline}前登录处理。",
         "en": "Registration {number}: documents to correct by {deadline}; please log in."}),
    "correction_reminder": Template(
        True, "SMS_MEDEXAM_CORRECTION_DUE",
        {"zh": "补正即将截止", "en": "Correction deadline approaching"},
        {"zh": "您好，{name}：您的报名（报名号 {number}）补正截止日期为 {deadline}，目前尚未提交补正。"
               "请尽快登录报名系统处理。",
         "en": "Dear {name}, the deadline to correct the documents of your registration {number} is "
               "{deadline} and no correction has been submitted yet. Please log in soon."},
        {"zh": "报名{number}补正将于{deadline}截止，请尽快处理。",
         "en": "Registration {number}: correction due {deadline}."}),
    "correction_submitted": Template(
        False, "SMS_MEDEXAM_CORRECTED",
        {"zh": "补正已提交", "en": "Corrections submitted"},
        {"zh": "您好，{name}：您的报名（报名号 {number}）补正材料已提交，请等待复审结果。",
         "en": "Dear {name}, the corrections for your registration {number} have been submitted; "
               "please wait for the review."},
        {"zh": "报名{number}补正已提交，请等待复审。", "en": "Registration {number}: corrections submitted."}),
    "correction_lapsed": Template(
        True, "SMS_MEDEXAM_LAPSED",
        {"zh": "补正已逾期", "en": "Correction deadline passed"},
        {"zh": "您好，{name}：您的报名（报名号 {number}）未在补正截止日期前提交补正，将按现有材料进行复审。",
         "en": "Dear {name}, no corrections for your registration {number} arrived before the deadline; "
               "the review goes on with the documents as they are."},
        {"zh": "报名{number}补正已逾期，将按现有材料复审。", "en": "Registration {number}: correction overdue."}),
    "admission_ticket": Template(
        False, "SMS_MEDEXAM_TICKET",
        {"zh": "准考证已生成", "en": "Admission ticket ready"},
        {"zh": "您好，{name}：您的报名（报名号 {number}）已安排考场和座位，准考证可于 {date} 起登录报名系统打印。"
               "考场如有调整，以最新打印的准考证为准。",
         "en": "Dear {name}, your registration {number} has been given an exam room and seat. You can print "
               "the admission ticket in the registration system from {date}. If the arrangement changes, the "
               "latest printed ticket counts."},
        {"zh": "报名{number}的准考证可于{date}起打印。", "en": "Ticket for {number} printable from {date}."}),
    "payment_paid": Template(
        True, "SMS_MEDEXAM_PAID",
        {"zh": "报名费已缴纳", "en": "Fee received"},
        {"zh": "您好，{name}：已收到您的报名费 {amount} 元（报名号 {number}，收据号 {receipt}）。",
         "en": "Dear {name}, we have received your fee of CNY {amount} for registration {number} "
               "(receipt {receipt})."},
        {"zh": "已收到报名{number}的报名费{amount}元。", "en": "Fee CNY {amount} for {number} received."}),
    "refund_requested": Template(
        True, "SMS_MEDEXAM_REFUND_REQUESTED",
        {"zh": "退费申请已受理", "en": "Refund requested"},
        {"zh": "您好，{name}：报名 {number} 的报名费 {amount} 元已申请退费（{reason}），退费完成后另行通知。",
         "en": "Dear {name}, a refund of CNY {amount} for registration {number} has been requested "
               "({reason}). We will tell you when it is made."},
        {"zh": "报名{number}的报名费{amount}元已申请退费。", "en": "Refund of CNY {amount} for {number} requested."}),
    "refund_done": Template(
        True, "SMS_MEDEXAM_REFUND_DONE",
        {"zh": "报名费已退回", "en": "Refund made"},
        {"zh": "您好，{name}：报名 {number} 的报名费 {amount} 元已退回，请留意原支付账户。",
         "en": "Dear {name}, the fee of CNY {amount} for registration {number} has been refunded to the "
               "account you paid from."},
        {"zh": "报名{number}的报名费{amount}元已退回。", "en": "CNY {amount} for {number} refunded."}),
    "password_reset_by_staff": Template(
        True, "SMS_MEDEXAM_PASSWORD_RESET",
        {"zh": "登录密码已被重置", "en": "Password reset"},
        {"zh": "您好，{name}：您的登录密码已于 {time} 由考试管理机构重置，下次登录须修改密码。"
               "如非本人申请，请立即联系当地考试管理机构。",
         "en": "Dear {name}, your password was reset by the exam office at {time}; you must change it at "
               "your next login. If you did not ask for this, contact your local exam office at once."},
        {"zh": "您的密码已于{time}被重置，如非本人申请请联系考试管理机构。",
         "en": "Your password was reset at {time}. Not you? Call the exam office."}),
    "login_new_device": Template(
        False, "SMS_MEDEXAM_NEW_DEVICE",
        {"zh": "新设备登录提醒", "en": "Login from a new device"},
        {"zh": "您好，{name}：您的账号于 {time} 在一台新设备上登录。如非本人操作，请立即修改密码。",
         "en": "Dear {name}, your account was used to log in from a new device at {time}. If this was not "
               "you, change your password at once."},
        {"zh": "您的账号于{time}在新设备登录，如非本人请改密码。",
         "en": "New device login at {time}. Not you? Change password."}),
    # the one message an unverified contact receives (core/services/contact_codes.py); never in the 消息中心
    "contact_code": Template(
        True, "SMS_MEDEXAM_CODE",
        {"zh": "验证码", "en": "Verification code"},
        {"zh": "您好，{name}：您的验证码是 {code}，10分钟内有效（用于{purpose}）。请勿告诉任何人；如非本人操作，请忽略。",
         "en": "Dear {name}, your verification code is {code}, valid for 10 minutes (for {purpose}). "
               "Do not tell anyone; if this was not you, ignore this message."},
        {"zh": "验证码{code}，10分钟内有效，请勿告诉他人。", "en": "Code {code}, valid 10 min. Do not share it."}),
}
SECRET_TEMPLATES = ("contact_code",)  # their text is blanked once delivered or failed (core/notify/delivery.py)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def render(name: str, lang: str, params: dict, hide: tuple[str, ...] = ()) -> Rendered:
    """The template filled in; ``hide``: the candidate's document numbers, never shown in any part."""
    t = TEMPLATES[name]
    lang = lang if lang in LANGS else "zh"
    values = {k: scrub(str(v), hide, keep=k == "number") for k, v in params.items()}
    subject, text, sms = (part[lang].format(**values) for part in (t.subject, t.text, t.sms))
    return Rendered(subject, text, _html(subject, text), sms)


def scrub(value: str, hide: tuple[str, ...] = (), keep: bool = False) -> str:
    """``value`` without the given document numbers and, unless ``keep`` (a registration number), without any
    valid 18-character ID number."""
    for number in hide:  # looked for first: a pattern per candidate would be compiled for every message
        if number and len(number) >= 6 and number.upper() in value.upper():
            value = re.sub(re.escape(number), HIDDEN, value, flags=re.IGNORECASE)
    if keep:
        return value
    return _ID_LIKE.sub(lambda m: HIDDEN if _valid_id(m.group(0)) else m.group(0), value)


def _valid_id(number: str) -> bool:
    return id_check_char(number[:17]) == number[17].upper()


def _html(subject: str, text: str) -> str:
    return ("<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.6\">"
            f"<h1 style=\"font-size:18px\">{html.escape(subject)}</h1><p>{html.escape(text)}</p>"
            "<p style=\"color:#666;font-size:12px\">国家医学考试网上报名系统 · 此邮件由系统自动发送，请勿回复。</p>"
            "</body></html>")


def sms_params(params: dict) -> dict[str, str]:
    """The template parameters sent to the SMS provider: strings cut to the provider's limit."""
    return {k: str(v)[:SMS_PARAM_LIMIT] for k, v in params.items()}
