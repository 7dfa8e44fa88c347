"""X-Forwarded-For/-Proto only from the load balancer (issue 14, finding 13).

werkzeug's ProxyFix believes the headers of whoever connects. A client that reaches an app server directly
(past the balancer) could then choose its own address and escape the per-address login limits. Here the
headers count only when the connection comes from ``TRUSTED_PROXY_ADDRESSES`` (addresses or networks);
from anywhere else they are removed and the connection's own address is the client's.
"""
from __future__ import annotations

import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
             "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


def parse_networks(text: str) -> tuple:
    """'10.0.0.5, 10.1.0.0/16' -> networks; a bad entry raises ValueError naming it."""
    networks = []
    for item in (p.strip() for p in text.split(",")):
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"TRUSTED_PROXY_ADDRESSES: {item!r} is not an address or network") from None
    return tuple(networks)


class TrustedProxyFix:
    def __init__(self, app, proxies: int, networks: tuple):
        self.plain = app
        self.fixed = ProxyFix(app, x_for=proxies, x_proto=proxies)
        self.networks = networks

    def _trusted(self, remote: str | None) -> bool:
        try:
            address = ipaddress.ip_address(remote or "")
        except ValueError:
            return False
        return any(address in n for n in self.networks)

    def __call__(self, environ, start_response):
        if self._trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        for key in FORWARDED:
            environ.pop(key, None)
        return self.plain(environ, start_response)
