"""The address a request comes from, as the sign-in lockout keys it (django-axes).

Production runs behind a TLS proxy, so REMOTE_ADDR is the proxy's own address and every
visitor would share one lock: anyone could lock a staff user out. The proxy names the
client in X-Forwarded-For, but anyone can send that header, so it is believed only from
the proxies named in VANORT_TRUSTED_PROXIES (addresses or networks, comma-separated):

- REMOTE_ADDR not a trusted proxy (or none configured): REMOTE_ADDR, header ignored;
- REMOTE_ADDR a trusted proxy: X-Forwarded-For read from the right (each proxy appends
  the address it received from), skipping trusted proxies; the first other address is
  the client. What a client wrote into the header itself lies further left and is never
  reached, so a forged header neither dodges a lock nor locks someone else.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=16)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    networks = _networks(tuple(getattr(settings, "VANORT_TRUSTED_PROXIES", ()) or ()))
    if not networks or not is_trusted(_address(remote or ""), networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([hop for hop in forwarded.split(",") if hop.strip()]):
        address = _address(hop)
        if address is None:
            return remote  # a malformed hop: nothing to the left of it can be believed
        if not is_trusted(address, networks):
            return str(address)
    return remote
