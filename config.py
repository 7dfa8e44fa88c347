"""Configuration, one place. Every value can be overridden by an environment variable of the same name."""
from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))
DEFAULT_SECRET = "dev-only-secret-change-me"


def _env(name: str, default=None):
    return os.environ.get(name, default)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


class Config:
    ENV_NAME = "development"
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'platform.db'}")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # SQLAlchemy's default pool unless DB_POOL_SIZE is set (production always sets it: ProductionConfig)
    SQLALCHEMY_ENGINE_OPTIONS: dict = ({"pool_size": int(_env("DB_POOL_SIZE", "4")),
                                        "max_overflow": int(_env("DB_MAX_OVERFLOW", "2"))}
                                       if _env("DB_POOL_SIZE", "") else {})
    # A pooled connection unused this many seconds is pinged before use (a dead one is replaced): not on every
    # request as pool_pre_ping did, a statement per page (core/db_ping.py); 0: every checkout.
    DB_PING_AFTER_IDLE = _env("DB_PING_AFTER_IDLE", "1")
    # psycopg server-side prepared statements after this many executions; empty: never (safe through any
    # PgBouncer in transaction pooling; set 5 only behind PgBouncer >= 1.21 with max_prepared_statements).
    DB_PREPARE_THRESHOLD = _env("DB_PREPARE_THRESHOLD", "")
    # Report reads (exports, statistics, batch printing) on a read replica; empty: the primary.
    # Writes and staff scope always use DATABASE_URL (core.db.reports_session, docs/deployment.md).
    REPORTS_DATABASE_URL = _env("REPORTS_DATABASE_URL", "")
    SECRET_KEY = _env("SECRET_KEY", DEFAULT_SECRET)  # portal cookie
    ADMIN_SECRET_KEY = _env("ADMIN_SECRET_KEY", DEFAULT_SECRET + "-admin")  # back-office cookie
    REDIS_URL = _env("REDIS_URL")  # rate limits and the Celery job queue; in memory / threads when unset
    INSTANCE_DIR = INSTANCE_DIR
    PHOTO_DIR = Path(_env("PHOTO_DIR", INSTANCE_DIR / "photos"))
    EXPORT_DIR = Path(_env("EXPORT_DIR", INSTANCE_DIR / "exports"))
    # 网上资格审核 documents (core/storage): "fs" (DOCUMENT_DIR on the shared file system) or "s3"
    DOCUMENT_STORAGE = _env("DOCUMENT_STORAGE", "fs")
    DOCUMENT_DIR = Path(_env("DOCUMENT_DIR", INSTANCE_DIR / "documents"))
    S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL", "")
    S3_BUCKET = _env("S3_BUCKET", "medexam-documents")
    S3_ACCESS_KEY = _env("S3_ACCESS_KEY", "")
    S3_SECRET_KEY = _env("S3_SECRET_KEY", "")
    S3_REGION = _env("S3_REGION", "us-east-1")

    # cookies: portal and back office never share one (see docs/architecture.md)
    SESSION_COOKIE_NAME = "portal_session"
    ADMIN_SESSION_COOKIE_NAME = "admin_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    CANDIDATE_IDLE_TIMEOUT = timedelta(minutes=int(_env("CANDIDATE_IDLE_MINUTES", "30")))
    STAFF_IDLE_TIMEOUT = timedelta(minutes=int(_env("STAFF_IDLE_MINUTES", "30")))
    # A staff session ends this long after its login however active it stays (server-side, every server).
    STAFF_ABSOLUTE_TIMEOUT = timedelta(hours=int(_env("STAFF_SESSION_MAX_HOURS", "10")))

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # a candidate may take an hour over one form
    WTF_CSRF_FIELD_NAME = "csrf_token"
    WTF_CSRF_METHODS = ["POST", "PUT", "PATCH", "DELETE"]  # Flask-WTF's default: the methods the token is checked on
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    PHOTO_MAX_BYTES = int(_env("PHOTO_MAX_BYTES", str(40 * 1024)))  # the guide: 不要大于40k
    PHOTO_MIN_WIDTH = int(_env("PHOTO_MIN_WIDTH", "102"))
    PHOTO_MIN_HEIGHT = int(_env("PHOTO_MIN_HEIGHT", "126"))
    # documents (core/documents): per file, per candidate, pixels and PDF pages
    DOCUMENT_MAX_BYTES = int(_env("DOCUMENT_MAX_BYTES", str(8 * 1024 * 1024)))
    DOCUMENT_CANDIDATE_MAX_BYTES = int(_env("DOCUMENT_CANDIDATE_MAX_BYTES", str(60 * 1024 * 1024)))
    DOCUMENT_LONG_SIDE = int(_env("DOCUMENT_LONG_SIDE", "2000"))  # re-encoded images are capped to this (A4 ≈ 240 dpi)
    DOCUMENT_MAX_PAGES = int(_env("DOCUMENT_MAX_PAGES", "10"))
    # document uploads per candidate (every attempt counts: each one is decoded and re-encoded)
    DOCUMENT_UPLOAD_RATE_LIMIT = _env("DOCUMENT_UPLOAD_RATE_LIMIT", "30 per hour")
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # the document upload route alone raises it to DOCUMENT_MAX_BYTES
    # candidates' passwords: argon2id, the cheapest of OWASP's equal-strength sets (core/services/passwords.py)
    PASSWORD_ARGON2 = {"memory_kib": 7 * 1024, "time_cost": 5}

    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute")
    # 注册 attempts per client address (a school's computer room shares one): core/services/accounts.py
    REGISTRATION_RATE_LIMIT = _env("REGISTRATION_RATE_LIMIT", "20 per hour")
    TRUSTED_PROXIES = 0  # proxies whose X-Forwarded-For/-Proto are trusted (production: the load balancer)
    TRUSTED_PROXY_ADDRESSES = _env("TRUSTED_PROXY_ADDRESSES", "127.0.0.0/8,::1/128")
    STAFF_TOTP_REQUIRED = _env_bool("STAFF_TOTP_REQUIRED", False)

    RATELIMIT_ENABLED = True  # our login limits (core/services/ratelimit.py) and FAB's login limit
    IDENTITY_CHECK_RATE_LIMIT = _env("IDENTITY_CHECK_RATE_LIMIT", "20 per hour")  # 身份核验 per staff user
    ADMIN_MAX_PAGE_SIZE = 100  # a back-office list's ?psize_… is capped here (backoffice/base.py)
    # Flask-AppBuilder's own settings are all in backoffice/settings.py: the back office is their only user.

    # Background jobs (core/jobs.py). JOB_BACKEND: celery (a worker, celery_app.py), thread (a thread of the
    # web process) or inline (before enqueue returns: scripts, tests); empty: celery if REDIS_URL is set,
    # else thread. Anything else refuses to start.
    JOB_BACKEND = _env("JOB_BACKEND", "")
    JOB_QUEUE = _env("JOB_QUEUE", "medexam-jobs")  # the Celery queue
    JOB_HANDLER_MODULES = _env("JOB_HANDLER_MODULES",  # the job handlers a Celery worker loads
                               "reports.tasks,reports.privacy_copy,core.arrangement.job")
    # 准考证 QR codes: Ed25519 private key (PEM). Unset: a key derived from ADMIN_SECRET_KEY.
    TICKET_SIGNING_KEY_PATH = _env("TICKET_SIGNING_KEY_PATH", "")
    # 统计用去标识数据: a count of candidates below this (and above 0) is shown as "<N" (reports/suppression.py)
    STATISTICS_MIN_COUNT = int(_env("STATISTICS_MIN_COUNT", "5"))
    PRINT_WORKERS = int(_env("PRINT_WORKERS", "2"))  # child processes laying out a site's forms (批量打印)

    PAYMENT_PROVIDER = _env("PAYMENT_PROVIDER", "sandbox")
    SANDBOX_BANK_ENABLED = True
    SANDBOX_TEST_API = _env_bool("SANDBOX_TEST_API", True)  # the sandbox bank's /_sandbox/* test controls
    # 网上缴费 (core/payments): a real merchant account is these values, never code. Development keys are
    # generated on first use into INSTANCE_DIR; the gateway's public key is the sandbox bank's there.
    PAYMENT_APP_ID = _env("PAYMENT_APP_ID", "2021000000000001")
    PAYMENT_APP_PRIVATE_KEY_PATH = Path(_env("PAYMENT_APP_PRIVATE_KEY_PATH",
                                             INSTANCE_DIR / "payment" / "app_private.pem"))
    PAYMENT_GATEWAY_PUBLIC_KEY_PATH = Path(_env("PAYMENT_GATEWAY_PUBLIC_KEY_PATH",
                                                INSTANCE_DIR / "sandbox_bank" / "bank_public.pem"))
    PAYMENT_GATEWAY_URL = _env("PAYMENT_GATEWAY_URL", "http://127.0.0.1:5001/gateway.do")
    PAYMENT_PUBLIC_BASE_URL = _env("PAYMENT_PUBLIC_BASE_URL", "http://127.0.0.1:5000")  # notify/return
    PAYMENT_ORDER_TTL = timedelta(minutes=int(_env("PAYMENT_ORDER_TTL_MINUTES", "30")))  # time_expire
    PAYMENT_PENDING_TIMEOUT = timedelta(minutes=int(_env("PAYMENT_PENDING_MINUTES", "10")))  # reconcile
    PAYMENT_GATEWAY_TIMEOUT = float(_env("PAYMENT_GATEWAY_TIMEOUT", "10"))  # seconds per gateway call

    # 通知 (core/notify): the 消息中心 always; e-mail when SMTP_HOST is set, SMS when SMS_PROVIDER is set.
    # Development: a local SMTP server on 1025 and the sandbox SMS gateway on 5002 (scripts/run-demo.sh).
    NOTIFY_AUTO_DELIVER = _env_bool("NOTIFY_AUTO_DELIVER", True)  # wake the delivery after each commit
    NOTIFY_RETRY_DELAYS = tuple(int(s) for s in _env("NOTIFY_RETRY_DELAYS", "30,120,600,3600,21600").split(","))
    NOTIFY_CLAIM_TIMEOUT = int(_env("NOTIFY_CLAIM_TIMEOUT", "600"))  # seconds before a 'sending' row is retried
    NOTIFY_RECIPIENT_HOURLY = int(_env("NOTIFY_RECIPIENT_HOURLY", "10"))  # non-essential e-mails/SMS per address and hour
    SMTP_HOST = _env("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = int(_env("SMTP_PORT", "1025"))
    SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", False)
    SMTP_CA_FILE = _env("SMTP_CA_FILE", "")  # a private CA for the SMTP server's certificate; empty: system CAs
    SMTP_USERNAME = _env("SMTP_USERNAME", "")
    SMTP_PASSWORD = _env("SMTP_PASSWORD", "")
    SMTP_FROM = _env("SMTP_FROM", "noreply@medexam.localhost")
    SMTP_FROM_NAME = _env("SMTP_FROM_NAME", "国家医学考试网上报名")
    SMTP_TIMEOUT = float(_env("SMTP_TIMEOUT", "10"))
    SANDBOX_SMS_ENABLED = True  # the sandbox SMS gateway (sandbox_sms/) may run; never in production
    SMS_PROVIDER = _env("SMS_PROVIDER", "aliyun")  # aliyun (Alibaba Cloud SendSms; the sandbox speaks it) or empty
    SMS_ENDPOINT = _env("SMS_ENDPOINT", "http://127.0.0.1:5002/")  # production: https://dysmsapi.aliyuncs.com/
    SMS_ACCESS_KEY_ID = _env("SMS_ACCESS_KEY_ID", "sandbox-key")
    SMS_ACCESS_KEY_SECRET = _env("SMS_ACCESS_KEY_SECRET", "sandbox-secret")
    SMS_SIGN_NAME = _env("SMS_SIGN_NAME", "医学考试")
    SMS_TIMEOUT = float(_env("SMS_TIMEOUT", "10"))
    # our template names -> the provider's approved codes, as JSON: {"payment_paid": "SMS_123456789", ...}
    SMS_TEMPLATE_CODES = json.loads(_env("SMS_TEMPLATE_CODES", "{}"))


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEBUG = False  # never the debugger or a traceback page, whatever FLASK_DEBUG says
    TESTING = False
    # Proxies in front of gunicorn that add X-Forwarded-For/-Proto (the load balancer): without this every
    # candidate would share the load balancer's address, and so one login limit for the whole country.
    TRUSTED_PROXIES = int(_env("TRUSTED_PROXIES", "1"))
    # Where those proxies connect from (addresses or networks, comma-separated): X-Forwarded-* from any other
    # address is dropped (web/proxies.py). Default: loopback and the private ranges; set the balancers' own.
    TRUSTED_PROXY_ADDRESSES = _env("TRUSTED_PROXY_ADDRESSES",
                                   "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16")
    # One connection per gunicorn thread (GUNICORN_THREADS) plus a little slack; a request that cannot get
    # one within 10 s fails rather than queueing forever. Sizing and PgBouncer: docs/deployment.md.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": int(_env("DB_POOL_SIZE", "4")),
                                 "max_overflow": int(_env("DB_MAX_OVERFLOW", "2")), "pool_timeout": 10,
                                 "pool_recycle": 1800}
    SESSION_COOKIE_SECURE = True
    # Host names the platform answers to (comma-separated); any other Host header gets 400.
    TRUSTED_HOSTS = [h.strip() for h in _env("TRUSTED_HOSTS", "").split(",") if h.strip()] or None
    STAFF_TOTP_REQUIRED = _env_bool("STAFF_TOTP_REQUIRED", True)
    SANDBOX_BANK_ENABLED = False
    PAYMENT_PROVIDER = _env("PAYMENT_PROVIDER", "alipay")
    PAYMENT_GATEWAY_URL = _env("PAYMENT_GATEWAY_URL", "https://openapi.alipay.com/gateway.do")
    SMTP_HOST = _env("SMTP_HOST", "")  # set with the real server (and SMTP_STARTTLS, SMTP_USERNAME ...)
    SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", True)
    SANDBOX_SMS_ENABLED = False
    SMS_PROVIDER = _env("SMS_PROVIDER", "")  # aliyun with the account's SMS_* values
    SMS_ENDPOINT = _env("SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite:///" + str(INSTANCE_DIR / "test.db"))
    WTF_CSRF_ENABLED = _env_bool("TEST_CSRF", True)
    RATELIMIT_ENABLED = False
    PASSWORD_ARGON2 = {"memory_kib": 64, "time_cost": 1}  # fast in tests; production keeps OWASP's
    NOTIFY_AUTO_DELIVER = False  # tests deliver with core.notify.delivery.deliver_due()
    SMTP_HOST = ""  # tests that send start their own servers (tests/fixtures/notify.py)
    SMS_PROVIDER = ""


JOB_BACKENDS = ("", "celery", "thread", "inline")  # core/jobs.py dispatches on these
CONFIGS = {"development": Config, "production": ProductionConfig, "test": TestConfig}


class ConfigurationError(RuntimeError):
    """A configuration that must not start (one clear sentence for the operator)."""


def load_config(name: str | None = None) -> type[Config]:
    name = name or _env("APP_ENV", "development")
    if name not in CONFIGS:
        raise ConfigurationError(f"APP_ENV={name!r} is unknown; use one of {', '.join(CONFIGS)}.")
    cfg = CONFIGS[name]
    _check_database_url(cfg.SQLALCHEMY_DATABASE_URI)
    if cfg.REPORTS_DATABASE_URL:
        _check_database_url(cfg.REPORTS_DATABASE_URL, "REPORTS_DATABASE_URL")
    if cfg.ENV_NAME == "production":
        _check_secrets(cfg.SECRET_KEY, cfg.ADMIN_SECRET_KEY)
    if cfg.STATISTICS_MIN_COUNT < 2:
        raise ConfigurationError("STATISTICS_MIN_COUNT must be 2 or more (5 by default): below 2 nothing would "
                                 "be suppressed in the de-identified statistics.")
    if cfg.JOB_BACKEND not in JOB_BACKENDS:
        raise ConfigurationError(f"JOB_BACKEND={cfg.JOB_BACKEND!r} is unknown; use celery, thread or inline, "
                                 "or leave it empty (celery when REDIS_URL is set, else thread).")
    if cfg.ENV_NAME == "production" and cfg.SMS_PROVIDER and not cfg.SMS_ENDPOINT.startswith("https://"):
        raise ConfigurationError("Production refuses an SMS_ENDPOINT that is not https:// (the sandbox SMS gateway).")
    if cfg.ENV_NAME == "production" and not cfg.PAYMENT_GATEWAY_URL.startswith("https://"):
        raise ConfigurationError("Production refuses a PAYMENT_GATEWAY_URL that is not https://.")
    if cfg.ENV_NAME == "production" and (cfg.PAYMENT_PROVIDER == "sandbox" or cfg.SANDBOX_BANK_ENABLED
                                         or _is_loopback(cfg.PAYMENT_GATEWAY_URL)):
        raise ConfigurationError("Production refuses the sandbox bank: set PAYMENT_PROVIDER=alipay and the "
                                 "merchant's PAYMENT_* settings.")
    return cfg


SECRET_MIN_LENGTH = 32  # characters of `python -c "import secrets; print(secrets.token_urlsafe(32))"` (43)
KNOWN_SECRETS = {DEFAULT_SECRET, DEFAULT_SECRET + "-admin", "secret", "changeme", "change-me", "dev", "test",
                 "development", "production", "SECRET_KEY", "\2\1thisismyscretkey\1\2\\e\\y\\y\\h"}


def _secret_problem(name: str, value: str) -> str | None:
    if value in KNOWN_SECRETS or value.startswith(DEFAULT_SECRET):
        return f"{name} is a known default"
    if len(value) < SECRET_MIN_LENGTH or len(set(value)) < 16:
        return f"{name} is shorter than {SECRET_MIN_LENGTH} random characters"
    return None


def _check_secrets(secret: str, admin_secret: str) -> None:
    problems = [p for p in (_secret_problem("SECRET_KEY", secret or ""),
                            _secret_problem("ADMIN_SECRET_KEY", admin_secret or "")) if p]
    if not problems and secret == admin_secret:
        problems.append("SECRET_KEY and ADMIN_SECRET_KEY are the same")
    if problems:
        raise ConfigurationError("Production refuses to start: " + "; ".join(problems) + ". Set each to its own "
                                 "value from: python -c \"import secrets; print(secrets.token_urlsafe(32))\"")


def _is_loopback(url: str) -> bool:
    from urllib.parse import urlsplit
    return (urlsplit(url).hostname or "") in ("localhost", "::1") or url.split("//")[-1].startswith("127.")


def _check_database_url(url: str, name: str = "DATABASE_URL") -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise ConfigurationError(
            f"{name} is not a database URL this platform can use: expected e.g. "
            "sqlite:///instance/platform.db or postgresql+psycopg://user@host/dbname.") from None
