"""The sandbox bank's state: trades, behaviour settings and the outbox of asynchronous notifications.

Everything is in memory (a sandbox forgets its trades when restarted). One lock guards it all; HTTP calls
to the platform are made outside the lock.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from core.payments import rsa2

log = logging.getLogger("sandbox_bank")
BEIJING = ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def beijing_now() -> datetime:
    return datetime.now(timezone.utc).astimezone(BEIJING).replace(tzinfo=None)


@dataclass
class Settings:
    """How the bank misbehaves; changed by tests through /_sandbox/settings."""

    notify_delay: float = 0.0  # seconds before the first delivery of a notification
    duplicate: int = 1  # deliveries of each notification (same notify_id), as a gateway retrying would
    drop: bool = False  # notifications are never sent
    hold: bool = False  # notifications wait in the outbox until /_sandbox/flush
    reorder: bool = False  # due notifications go out newest first
    query_refuse: bool = False  # query/close/refund answer "service unavailable"
    query_delay: float = 0.0  # seconds before answering query/close/refund
    retry_after: tuple = (1, 2, 5, 10, 30, 60, 120)  # seconds between retries until "success"


@dataclass
class Trade:
    app_id: str
    out_trade_no: str
    total_amount: str
    subject: str
    notify_url: str
    return_url: str
    time_expire: datetime | None  # Beijing wall clock
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    trade_no: str | None = None
    status: str = "WAIT_BUYER_PAY"
    gmt_create: str = field(default_factory=lambda: beijing_now().strftime(TIME_FORMAT))
    gmt_payment: str | None = None
    refunds: dict = field(default_factory=dict)  # out_request_no -> amount


@dataclass
class Delivery:
    url: str
    params: dict
    next_at: float
    attempts: int = 0
    acknowledged: bool = False
    gave_up: bool = False
    answers: list = field(default_factory=list)


class Bank:
    def __init__(self, private_key: bytes, merchants: dict, seller_id: str = "2088000000000001"):
        self.private_key = private_key
        self.merchants = merchants  # app_id -> merchant public key (PEM bytes, or the path of its file)
        self.seller_id = seller_id
        self.settings = Settings()
        self.trades: dict[tuple[str, str], Trade] = {}
        self.outbox: list[Delivery] = []
        self.lock = threading.RLock()
        self._stop = threading.Event()

    # trades ----------------------------------------------------------------------------------------
    def trade(self, app_id: str, out_trade_no: str) -> Trade | None:
        with self.lock:
            return self.trades.get((app_id, out_trade_no))

    def by_token(self, token: str) -> Trade | None:
        with self.lock:
            return next((t for t in self.trades.values() if t.token == token), None)

    def expired(self, trade: Trade) -> bool:
        return trade.time_expire is not None and beijing_now() > trade.time_expire

    def pay(self, trade: Trade, notify_delay: float | None = None, notify: bool = True) -> bool:
        """The buyer pays: True when this call took the money (never twice for one trade). ``notify_delay``
        and ``notify`` override the settings for this payment (the bank page's 确认通知 choice)."""
        with self.lock:
            if trade.status != "WAIT_BUYER_PAY" or self.expired(trade):
                if self.expired(trade) and trade.status == "WAIT_BUYER_PAY":
                    trade.status = "TRADE_CLOSED"
                return False
            trade.status = "TRADE_SUCCESS"
            trade.trade_no = beijing_now().strftime("%Y%m%d") + "2200" + f"{secrets.randbelow(10**12):012d}"
            trade.gmt_payment = beijing_now().strftime(TIME_FORMAT)
            if notify:
                self.notify(trade, notify_delay)
            return True

    def close(self, trade: Trade) -> bool:
        with self.lock:
            if trade.status != "WAIT_BUYER_PAY":
                return False
            trade.status = "TRADE_CLOSED"
            return True

    def refund(self, trade: Trade, out_request_no: str, amount: str) -> str:
        """'ok', or the sub_code of the refusal. The same out_request_no refunds once."""
        with self.lock:
            if trade.status not in ("TRADE_SUCCESS",) and out_request_no not in trade.refunds:
                return "ACQ.TRADE_STATUS_ERROR"
            if out_request_no in trade.refunds:
                return "ok"
            if amount != trade.total_amount:
                return "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
            trade.refunds[out_request_no] = amount
            trade.status = "TRADE_CLOSED"  # fully refunded
            self.notify(trade)
            return "ok"

    # signatures ------------------------------------------------------------------------------------
    def merchant_signed(self, params: dict) -> bool:
        key = self.merchants.get(params.get("app_id", ""))
        if isinstance(key, Path):  # read at each use: the platform makes its development key on first use
            key = key.read_bytes() if key.exists() else None
        return key is not None and params.get("sign_type") == "RSA2" and rsa2.verify(params, key, ("sign",))

    def signed(self, params: dict) -> dict:
        params = {k: v for k, v in params.items() if v not in (None, "")}
        params["sign"] = rsa2.sign({k: v for k, v in params.items() if k != "sign_type"}, self.private_key)
        return params

    def signed_answer(self, key: str, answer: dict) -> str:
        import json
        body = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
        return f'{{"{key}":{body},"sign":"{rsa2.sign_text(body, self.private_key)}"}}'

    def return_query(self, trade: Trade) -> str:
        return urlencode(self.signed({
            "app_id": trade.app_id, "auth_app_id": trade.app_id, "method": "alipay.trade.page.pay.return",
            "charset": "utf-8", "version": "1.0", "sign_type": "RSA2", "out_trade_no": trade.out_trade_no,
            "trade_no": trade.trade_no, "total_amount": trade.total_amount, "seller_id": self.seller_id,
            "timestamp": beijing_now().strftime(TIME_FORMAT)}))

    # notifications ---------------------------------------------------------------------------------
    def notify(self, trade: Trade, delay: float | None = None) -> None:
        """Queue the signed asynchronous notification of the trade's current state."""
        params = self.signed({
            "notify_time": beijing_now().strftime(TIME_FORMAT), "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16), "app_id": trade.app_id, "charset": "utf-8", "version": "1.0",
            "sign_type": "RSA2", "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
            "total_amount": trade.total_amount, "receipt_amount": trade.total_amount,
            "buyer_pay_amount": trade.total_amount, "trade_status": trade.status, "subject": trade.subject,
            "gmt_create": trade.gmt_create, "gmt_payment": trade.gmt_payment, "seller_id": self.seller_id,
            "refund_fee": next(iter(trade.refunds.values()), None)})
        with self.lock:
            if self.settings.drop or not trade.notify_url:
                return
            due = time.monotonic() + (self.settings.notify_delay if delay is None else delay)
            for _ in range(max(1, self.settings.duplicate)):
                self.outbox.append(Delivery(url=trade.notify_url, params=params, next_at=due))

    def deliver_due(self, force: bool = False) -> int:
        """Send every notification that is due (all waiting ones when ``force``); returns how many were sent."""
        with self.lock:
            if self.settings.hold and not force:
                return 0
            now = time.monotonic()
            due = [d for d in self.outbox if not d.acknowledged and not d.gave_up and (force or d.next_at <= now)]
            if self.settings.reorder:
                due.reverse()
        for delivery in due:
            self._deliver(delivery)
        return len(due)

    def _deliver(self, delivery: Delivery) -> None:
        body = urlencode(delivery.params).encode()
        request = urllib.request.Request(delivery.url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (merchant's notify_url)
                answer = response.read().decode(errors="replace").strip()
        except urllib.error.HTTPError as exc:
            answer = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            answer = type(exc).__name__
        with self.lock:
            delivery.attempts += 1
            delivery.answers.append(answer)
            if answer == "success":
                delivery.acknowledged = True
            elif delivery.attempts > len(self.settings.retry_after):
                delivery.gave_up = True
            else:
                delivery.next_at = time.monotonic() + self.settings.retry_after[delivery.attempts - 1]

    def start_notifier(self, interval: float = 0.2) -> threading.Thread:
        def loop():
            while not self._stop.wait(interval):
                try:
                    self.deliver_due()
                except Exception:  # noqa: BLE001 - the sandbox keeps delivering whatever one send did
                    log.exception("sandbox bank: delivery failed")
        thread = threading.Thread(target=loop, name="sandbox-bank-notifier", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def reset(self) -> None:
        with self.lock:
            self.settings = Settings()
            self.trades.clear()
            self.outbox.clear()

    def snapshot(self) -> dict:
        with self.lock:
            return {"settings": asdict(self.settings),
                    "outbox": [{"out_trade_no": d.params.get("out_trade_no"), "notify_id": d.params.get("notify_id"),
                                "trade_status": d.params.get("trade_status"), "attempts": d.attempts,
                                "acknowledged": d.acknowledged, "gave_up": d.gave_up, "answers": d.answers}
                               for d in self.outbox]}


def parse_beijing(text: str | None) -> datetime | None:
    try:
        return datetime.strptime(text or "", TIME_FORMAT)
    except ValueError:
        return None


__all__ = ["Bank", "Settings", "Trade", "beijing_now", "parse_beijing"]
