"""`tickets public-key`: the public key that verifies 准考证 QR codes offline (docs/arrangement.md)."""
from __future__ import annotations

import click

from commands.errors import OperatorGroup
from core.arrangement.tickets import public_key_pem

tickets_cli = OperatorGroup("tickets", help="准考证二维码")


@tickets_cli.command("public-key")
def tickets_public_key() -> None:
    """Print the Ed25519 public key (PEM) of the 准考证 QR signatures, for offline verification devices."""
    click.echo(public_key_pem(), nl=False)
