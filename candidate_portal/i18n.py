"""The portal's second language (English): the language choice, and translation of texts built in core.

core speaks Chinese only and never imports Flask-Babel. Its labels and fixed messages are listed in
``CORE_TEXTS`` so ``pybabel extract`` puts them in the catalogue; the portal translates them as it
shows them (``translate_message``, the ``tr`` template filter). Messages core builds around names and
numbers are ``core.messages.Msg``: their template is translated (``pybabel extract -k Msg``), then filled
in with the parameters, each translated too where the catalogue knows it (a level, a field label); names
of sites, schools and exam years stay as they are.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from flask import Flask, request, url_for
from flask_babel import get_locale, gettext

from core.messages import Msg
from web.i18n import translate

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def N_(text: str) -> str:
    """Marks a core text for ``pybabel extract`` without translating it here."""
    return text


def select_locale() -> str:
    """The ``lang`` cookie set by the language switch (中文 / English); Chinese otherwise."""
    lang = request.cookies.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translate_message(msg):
    """A core text in the page's language; text the catalogue does not know is shown as it is."""
    if not isinstance(msg, str) or not msg:
        return msg  # gettext("") would return the catalogue header
    if isinstance(msg, Msg):
        return _translate_msg(msg)
    return translate(msg)


def _translate_msg(msg: Msg) -> str:
    """The sentence's translation filled in with the parameters, those the catalogue knows translated too."""
    template = translate(msg.template)
    if template == msg.template:
        return str(msg)  # a Chinese page, or a template the catalogue lacks
    return template % {name: _param(value, _in_sentence(template, name)) for name, value in msg.params.items()}


def _in_sentence(template: str, name: str) -> bool:
    """True where the parameter follows a word ('Please enter %(label)s.'), not a quote or a sentence's end."""
    return bool(re.search(r"[A-Za-z,] $", template.split(f"%({name})s", 1)[0]))


def _param(value, in_sentence: bool) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_param(v, in_sentence) for v in value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value:
        return _label(value, in_sentence)
    return str(value)


def _label(text: str, in_sentence: bool) -> str:
    """'民族' -> 'ethnic group' inside a sentence; at a sentence's start or in quotes it keeps its capital."""
    label = translate(text)
    if in_sentence and label != text and label[1:2].islower():
        return label[0].lower() + label[1:]
    return label


def init_i18n(app: Flask) -> None:
    app.add_template_filter(translate_message, "tr")
    # web/errors.py: the plain error pages in the page's language too
    app.extensions["error_translator"] = (gettext, lambda: "en" if str(get_locale()) == "en" else "zh-CN")

    @app.context_processor
    def _language():
        return {"page_lang": "en" if str(get_locale()) == "en" else "zh-CN", "lang_next": page_to_return_to}


def page_to_return_to() -> str:
    """Where the language switch comes back to: this page, or its GET form after a refused POST."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    rule = request.url_rule
    return request.path if rule is not None and "GET" in (rule.methods or ()) else url_for("portal.index")


# Labels and fixed messages of core that candidates see (tests check each one still exists in core).
CORE_TEXTS = (
    N_('居民身份证'),
    N_('港澳台居民居住证'),
    N_('港澳居民来往内地通行证'),
    N_('台湾居民来往大陆通行证'),
    N_('护照'),
    N_('男'),
    N_('女'),
    N_('非现役军人'),
    N_('现役军人'),
    N_('在岗'),
    N_('待业'),
    N_('离退休'),
    N_('当年毕业研究生'),
    N_('其他'),
    N_('中专'),
    N_('专科'),
    N_('本科'),
    N_('硕士研究生'),
    N_('博士研究生'),
    N_('全日制'),
    N_('非全日制'),
    N_('成人教育'),
    N_('自学考试'),
    N_('网络教育'),
    N_('师承'),
    N_('确有专长'),
    N_('西医'),
    N_('中医'),
    N_('中西医结合'),
    N_('民族医'),
    N_('口腔'),
    N_('公共卫生'),
    N_('临床'),
    N_('军事医学'),
    # R7's 专业类别 (core/eligibility/majors.py) and the routes (core/eligibility/routes.py)
    N_('临床医学类'),
    N_('口腔医学类'),
    N_('公共卫生与预防医学类'),
    N_('中医学类'),
    N_('中西医结合类'),
    N_('蒙医学'),
    N_('藏医学'),
    N_('维医学'),
    N_('傣医学'),
    N_('壮医学'),
    N_('哈医学'),
    N_('非医师类'),
    N_('乡村全科'),
    N_('专科学历报考执业医师'),
    N_('中专学历报考执业医师'),
    N_('中专学历报考执业助理医师'),
    N_('师承或确有专长人员报考'),
    N_('请改选执业助理医师类别，或勾选本科及以上学历的教育经历。'),
    N_('请改选执业助理医师类别，或勾选专科及以上学历的教育经历。'),
    N_('请勾选专科及以上学历的教育经历。'),
    N_('请改选以学历报考的类别，并勾选相应的教育经历。'),
    N_('填报中'),
    N_('已提交'),
    N_('审核通过'),
    N_('审核未通过'),
    N_('已放弃'),
    N_('逾期未缴费'),
    N_('未缴费'),
    N_('已缴费'),
    N_('退费处理中'),
    N_('已退费'),
    N_('退费申请已提交，等待财务处理'),
    N_('已退费（原路退回）'),
    N_('退费未成功，等待财务重新办理'),
    N_('已退费（线下办理）'),
    N_('执业医师'),
    N_('执业助理医师'),
    N_('学历'),
    N_('师承或确有专长'),
    N_('基本情况'),
    N_('工作情况'),
    N_('教育经历和培训经历'),
    N_('选择证书'),
    N_('选择考区及考点'),
    N_('不再接受15位身份证号码，请填写18位号码。'),
    N_('证件号码应为18位：17位数字加1位数字或字母X。'),
    N_('证件号码校验位不正确，请核对后重新输入。'),
    N_('证件号码中的出生日期不正确。'),
    N_('请填写证件号码。'),
    N_('通行证号码格式不正确：港澳为H或M加8位数字，台湾为8位数字。'),
    N_('请填写姓名。'),
    N_('年月格式应为YYYY-MM，中间加横杠，如2008-03。'),
    N_('年月不能晚于当前月份。'),
    N_('结束年月不能早于开始年月。'),
    N_('手机号码应为以1开头的11位数字。'),
    N_('邮政编码应为6位数字。'),
    N_('用户名为4至32位，以字母开头，只含字母、数字和下划线。'),
    N_('密码不能与用户名相同。'),
    N_('密码不能与证件号码相同。'),
    N_('密码过于常见，请换一个不易被猜到的密码。'),
    N_('证件号码中的出生日期不是有效日期。'),
    N_('姓名只能包含汉字，少数民族姓名中间用“·”分隔。'),
    N_('姓名只能包含汉字、英文字母、空格和“·”。'),
    N_('请填写年月（格式YYYY-MM）。'),
    N_('请填写手机号码。'),
    N_('请填写邮政编码。'),
    N_('请填写电子邮箱。'),
    N_('港澳居民来往内地通行证号码为H或M加8位数字（旧证再加2位换证次数）。'),
    N_('台湾居民来往大陆通行证号码为8位数字。'),
    N_('请选择证件类型。'),
    N_('护照号码为6至20位字母或数字。'),
    N_('用户名或密码错误。'),
    N_('当同时忘记密码及找回答案时，请携带注册时使用的身份证明材料到当地考试管理机构，提请予以密码重置。'),
    N_('该证件号码已经注册过账户。请直接登录；如忘记密码，请使用“找回密码”。'),
    N_('我母亲的姓名是？'),
    N_('我父亲的姓名是？'),
    N_('我的出生地是？'),
    N_('我就读的小学是？'),
    N_('我最好的朋友的名字是？'),
    N_('我的第一位老师的姓名是？'),
    N_('当前密码不正确。'),
    N_('找回答案不正确。'),
    N_('出生日期不正确。'),
    N_('两次输入的密码不一致。'),
    N_('请选择性别。'),
    N_('请填写出生日期。'),
    N_('港澳台居民请填写往来大陆通行证号码。'),
    N_('该用户名已被使用，请换一个。'),
    N_('登录尝试过于频繁，请稍后再试。'),
    N_('两次输入的新密码不一致。'),
    N_('新密码不能与当前密码相同。'),
    N_('请填写找回答案（至少2个字符）。'),
    N_('尝试次数过多，请1小时后再试。'),
    N_('用户名与证件号码不匹配。'),
    N_('出生日期格式应为YYYY-MM-DD，如1990-03-07。'),
    N_('性别与证件号码不符（证件号码第17位决定性别）。'),
    N_('出生日期与证件号码不符。'),
    N_('找回答案最多60个字符。'),
    N_('电子邮箱格式不正确，如 name@example.com。'),
    N_('该条目已在报名申请中使用并被锁定，不可修改或删除；可通过“放弃报考”相关报考项目来解锁。'),
    N_('该条目已通过验证（对勾标记），作为可信数据使用，不可修改或删除。'),
    N_('找不到该条目。'),
    N_('注册年月不能早于发证年月。'),
    N_('填写了注册编号时请填写注册年月。'),
    N_('请选择要上传的照片文件。'),
    N_('照片必须是JPG格式的图片文件。'),
    N_('照片的像素尺寸异常，无法处理，请重新制作照片。'),
    N_('照片文件已损坏或无法识别，请重新选择。'),
    N_('请选择考区。'),
    N_('累计报考次数请填写1至50之间的整数（首次报考填1）。'),
    N_('找不到该报名。'),
    N_('该报名已提交，报名信息不提供修改功能。'),
    N_('请选择报考类别。'),
    N_('请上传照片（jpg格式文件，不要大于40k）。'),
    N_('请勾选用于报考的教育经历；若没有，请点击栏目标题右侧的“+”按钮添加。'),
    N_('请选择考点。'),
    N_('提交已过期，请刷新页面后再提交。'),
    N_('该报名已放弃，请重新“开始新的报名”。'),
    N_('该报名已不在有效状态，无需放弃。'),
    N_('该报名刚刚已提交或已放弃，请刷新页面后查看。'),
    N_('请在“基本情况”中上传照片。'),
    N_('请在“教育经历和培训经历”中勾选用于报考的教育经历。'),
    N_('请选择考区及考点。'),
    N_('请在“教育经历和培训经历”一步勾选一条用于报考的教育经历。'),
    N_('当年毕业研究生请在“工作情况”的在岗情况中选择“当年毕业研究生”。'),
    N_('只有当年毕业研究生和师承或确有专长者可以不填。'),
    N_('台港澳人士须在“基本情况”一步填写往来大陆通行证号码。'),
    N_('以研究生学历报考的考生，还应补充相应本科/专科的教育经历（不用勾选）：请在“教育经历和培训经历”一步点“+”添加。'),
    N_('本考区未开通网上缴费，请按考区公告办理缴费。'),
    N_('该报名已不能缴费。'),
    N_('本考区网上缴费已截止。'),
    N_('无权访问该报名。'),
    N_('该报名已缴费，请勿重复缴费。'),
    N_('上一笔支付正在向银行确认，请稍后刷新页面再试，请勿重复缴费。'),
    N_('该报名当前不能缴费。'),
    N_('报名费'),
    N_('实践技能考试费'),
    N_('医学综合笔试费'),
    # 个人信息保护 (core/privacy)
    N_('请阅读并同意《个人信息保护告知》。'),
    N_('请单独同意处理证件号码、照片和证件扫描件等敏感个人信息；不同意则无法注册和报名。'),
    N_('副本仍在准备中，请稍后刷新页面。'),
    N_('该副本已过下载期限并已删除，请重新申请。'),
    N_('正在准备您的个人信息副本。'),
    N_('正在生成PDF……'),
    N_('个人信息副本已生成，请在下载期限内下载。'),
    N_('账户不存在或已注销。'),
    N_('您有退费正在处理中。请在退费完成后再注销账户。'),
    N_('请勾选确认：注销后无法登录，也无法恢复。'),
    # the retention schedule's words (core/privacy/retention.py: labels, actions)
    N_('从未提交的报名草稿'),
    N_('放弃、审核不通过和逾期的报名'),
    N_('审核通过的报名'),
    N_('照片（长期未登录且无进行中报名的账户）'),
    N_('缴费记录（支付请求的IP地址）'),
    N_('审计日志'),
    N_('个人信息副本文件'),
    N_('导出文件和批量打印文件'),
    N_('删除'),
    N_('去标识化'),
    N_('到期提醒（人工处理）'),
)
