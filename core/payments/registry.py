"""The payment providers by name: ``PAYMENT_PROVIDER`` picks one, and an order keeps the one it was made with.

A new gateway is a module implementing ``core.payments.provider.PaymentProvider`` and one line here.
"""
from __future__ import annotations

from typing import Callable, Mapping

from core.payments.alipay import AlipayProvider
from core.payments.provider import GatewayError, PaymentProvider

# name -> a function (config, name) -> provider; the sandbox bank speaks the Alipay protocol
PROVIDERS: dict[str, Callable[[Mapping, str], PaymentProvider]] = {
    "alipay": AlipayProvider.from_config,
    "sandbox": AlipayProvider.from_config,
}


def get_provider(config: Mapping, name: str | None = None) -> PaymentProvider:
    """The provider named by PAYMENT_PROVIDER (or ``name``: an order keeps the provider it was made with)."""
    name = name or config["PAYMENT_PROVIDER"]
    if name == "sandbox" and not config["SANDBOX_BANK_ENABLED"]:
        raise GatewayError("the sandbox bank is disabled in this configuration")
    if name not in PROVIDERS:
        raise GatewayError(f"unknown payment provider {name!r}")
    return PROVIDERS[name](config, name)
