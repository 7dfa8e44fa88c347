"""沙箱银行 (sandbox bank): a stand-in payment gateway speaking the Alipay page-pay protocol.

Its own Flask app and process (``python -m sandbox_bank``, or ``scripts/sandbox-bank.sh``), with its own
key pair: a bank page with 付款 and 取消, signed asynchronous notifications retried until the platform
answers ``success``, the signed return redirect, and the query/close/refund API. ``/_sandbox/*`` lets
tests delay, duplicate, reorder, hold or drop notifications and refuse or delay queries.

It refuses to run in the production configuration, and the production configuration refuses to point at
it (config.load_config).
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from sandbox_bank.bank import Bank


class SandboxRefused(RuntimeError):
    pass


def create_app(*, key_dir: Path | None = None, merchants: dict[str, Path] | None = None,
               start_notifier: bool = True, test_api: bool | None = None) -> Flask:
    import config
    cfg = None if os.environ.get("APP_ENV") == "production" else config.load_config()
    if cfg is None or not cfg.SANDBOX_BANK_ENABLED:
        raise SandboxRefused("沙箱银行不能在生产配置下运行（the sandbox bank never runs in production）。")
    from core.payments.rsa2 import generate_key_pair

    key_dir = Path(key_dir or config.INSTANCE_DIR / "sandbox_bank")
    private_path = key_dir / "bank_private.pem"
    if not private_path.exists():
        generate_key_pair(private_path, key_dir / "bank_public.pem")
    if merchants is None:
        app_key = Path(config.Config.PAYMENT_APP_PRIVATE_KEY_PATH).with_name("app_public.pem")
        merchants = {config.Config.PAYMENT_APP_ID: app_key}

    app = Flask("sandbox_bank", template_folder=str(Path(__file__).parent / "templates"))
    app.config["SANDBOX_TEST_API"] = cfg.SANDBOX_TEST_API if test_api is None else test_api
    bank = Bank(private_path.read_bytes(), merchants)
    app.extensions["sandbox_bank"] = bank
    from sandbox_bank.views import bp
    app.register_blueprint(bp)
    if start_notifier:
        bank.start_notifier()
    return app
