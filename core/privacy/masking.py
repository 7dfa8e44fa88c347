"""Masking (最小必要, PIPL Art. 6 and 51): how the back office and the exports show personal data to a role
whose work does not need it in full. Which roles see what in full: ``core.services.scope``
(``can_see_full_documents``, ``full_contact_fields``); the reasons per role: docs/privacy.md."""
from __future__ import annotations

from core.services.audit import mask_document

__all__ = ["mask_document", "mask_phone", "mask_email", "mask_address", "mask_contact_facts", "mask_recipient"]


def mask_email(address: str | None) -> str | None:
    """zhang.wei@example.com -> zh***@example.com."""
    if not address or "@" not in address:
        return address and "***"
    local, _, domain = address.partition("@")
    return f"{local[:2]}***@{domain}"


def mask_address(address: str | None) -> str | None:
    """北京市东城区东单北大街1号 -> 北京市东城区***: the district stays, the street and number go."""
    return address and address[:6] + "***"


def mask_phone(number: str | None) -> str | None:
    """13800138000 -> 138****8000."""
    if not number:
        return number
    return number[:3] + "****" + number[-4:] if len(number) > 7 else "*" * len(number)


CONTACT_MASKS = {"mobile": mask_phone, "email": mask_email, "address": mask_address}


def mask_contact_facts(data: dict | None) -> dict | None:
    """An audit entry's before/after as a page shows it: contact values masked (document numbers already are)."""
    if not isinstance(data, dict):
        return data
    return {key: CONTACT_MASKS[key](value) if key in CONTACT_MASKS and isinstance(value, str) else value
            for key, value in data.items()}


def mask_recipient(channel: str, recipient: str | None) -> str | None:
    """A message's recipient (a mobile number or an e-mail address) masked."""
    if not recipient:
        return recipient
    return mask_email(recipient) if channel == "email" or "@" in recipient else mask_phone(recipient)
