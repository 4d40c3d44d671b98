"""The address a request came from, the one place that reads it (sign-in lockouts, access log)."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the address they were given.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    the client is that many entries from the right; anything further left is the client's say.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not proxies:
        return remote_addr
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) >= proxies:
        # Something that is not an address (a proxy passing junk through) is not believed.
        try:
            return str(ipaddress.ip_address(forwarded[-proxies]))
        except ValueError:
            return remote_addr
    return remote_addr
