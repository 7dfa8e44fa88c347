"""Channels behind one interface: ``send(message) -> provider reference``, or ``Retry`` (try again later:
a server down, refusing for now, timing out) or ``Refused`` (never: an invalid address, a number the
provider rejects). The 消息中心 needs no sending: its row is the message.

E-mail goes over SMTP (STARTTLS and AUTH as configured: SMTP_*); SMS through the provider named by
SMS_PROVIDER (``aliyun``: Alibaba Cloud SendSms, core/notify/aliyun_sms.py; the sandbox SMS gateway speaks
the same protocol).
"""
from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app

from core.models import Message
from core.notify import aliyun_sms
from core.notify.errors import Refused, Retry
from core.notify.templates import TEMPLATES, sms_params


class Connections:
    """Connections kept open over one batch of deliveries (one SMTP login for many e-mails)."""

    def __init__(self):
        self.smtp: smtplib.SMTP | None = None

    def smtp_connection(self) -> smtplib.SMTP:
        if self.smtp is None:
            config = current_app.config
            smtp = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=config["SMTP_TIMEOUT"])
            try:
                if config["SMTP_STARTTLS"]:
                    smtp.starttls(context=ssl.create_default_context(cafile=config["SMTP_CA_FILE"] or None))
                if config["SMTP_USERNAME"]:
                    smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            except BaseException:
                smtp.close()
                raise
            self.smtp = smtp
        return self.smtp

    def drop_smtp(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def __enter__(self) -> Connections:
        return self

    def __exit__(self, *exc) -> None:
        self.drop_smtp()


def send(message: Message, connections: Connections) -> str | None:
    if message.channel == "email":
        return send_email(message, connections)
    if message.channel == "sms":
        return send_sms(message)
    return None


def send_email(message: Message, connections: Connections) -> str:
    config = current_app.config
    if not message.recipient or "@" not in message.recipient:
        raise Refused("电子邮件地址无效")
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = formataddr((config["SMTP_FROM_NAME"], config["SMTP_FROM"]))
    mail["To"] = message.recipient
    # the same Message-ID on every attempt: a receiving system can drop a copy sent again after a crash
    mail["Message-ID"] = f"<notify-{message.id}@{config['SMTP_FROM'].split('@')[-1]}>"
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    try:
        try:
            connections.smtp_connection().send_message(mail)
        except smtplib.SMTPServerDisconnected:  # a kept connection the server closed: once more on a new one
            connections.drop_smtp()
            connections.smtp_connection().send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        code = next(iter(exc.recipients.values()))[0]
        raise (Refused if 500 <= code < 600 else Retry)(f"邮件服务器拒绝收件人（{code}）") from None
    except smtplib.SMTPResponseException as exc:
        connections.drop_smtp()
        raise (Refused if exc.smtp_code in (550, 551, 553) else Retry)(
            f"邮件服务器拒绝（{exc.smtp_code}）") from None
    except (smtplib.SMTPException, OSError, socket.timeout) as exc:
        connections.drop_smtp()
        raise Retry(f"邮件服务器无法连接（{type(exc).__name__}）") from None
    return mail["Message-ID"]


def send_sms(message: Message) -> str:
    config = current_app.config
    if config["SMS_PROVIDER"] != "aliyun":
        raise Retry(f"短信服务未配置（{config['SMS_PROVIDER']}）")
    code = config["SMS_TEMPLATE_CODES"].get(message.template) or TEMPLATES[message.template].sms_code
    return aliyun_sms.send_sms(
        endpoint=config["SMS_ENDPOINT"], access_key_id=config["SMS_ACCESS_KEY_ID"],
        access_key_secret=config["SMS_ACCESS_KEY_SECRET"], phone=message.recipient or "",
        sign_name=config["SMS_SIGN_NAME"], template_code=code, params=sms_params(message.params),
        out_id=str(message.id), timeout=config["SMS_TIMEOUT"])
