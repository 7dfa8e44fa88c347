"""沙箱短信网关 (sandbox SMS gateway): a stand-in for Alibaba Cloud SMS speaking its ``SendSms`` protocol.

Its own Flask app and process (``python -m sandbox_sms``, or ``scripts/sandbox-sms.sh``), for development and
tests, as the sandbox bank is for payments. It checks every request as the real service does (parameters,
the HMAC-SHA1 signature with the AccessKey secret it knows, the number, the JSON TemplateParam) and keeps the
messages it accepted in memory. ``/_sandbox/messages`` lists them, ``/_sandbox/settings`` makes it answer an
error code, answer HTTP 500 or be slow, ``/_sandbox/reset`` forgets everything.
It refuses to run in the production configuration.
"""
from __future__ import annotations

from flask import Flask

from sandbox_sms.gateway import Gateway


class SandboxRefused(RuntimeError):
    pass


def create_app(*, keys: dict[str, str] | None = None) -> Flask:
    """``keys``: AccessKeyId -> AccessKeySecret accepted (default: the development SMS_ACCESS_KEY_* pair)."""
    import config
    try:
        cfg = config.load_config()
    except config.ConfigurationError:
        cfg = None
    if cfg is None or not cfg.SANDBOX_SMS_ENABLED:
        raise SandboxRefused("沙箱短信网关不能在生产配置下运行（the sandbox SMS gateway never runs in production）。")
    if keys is None:
        keys = {config.Config.SMS_ACCESS_KEY_ID: config.Config.SMS_ACCESS_KEY_SECRET}
    app = Flask("sandbox_sms")
    app.extensions["sandbox_sms"] = Gateway(keys)
    from sandbox_sms.views import bp
    app.register_blueprint(bp)
    return app
