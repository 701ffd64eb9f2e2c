"""The address a request came from, as rate limits key it (the public form, the API's failed
authentications)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, as the rate limit's key.

    TRUSTED_PROXY_IP_HEADER is read only when configured: otherwise any client could name
    itself with a forged X-Forwarded-For. Of a comma-separated list the last entry is taken,
    the one the nearest proxy wrote (the ones before it may be the client's own inventions).
    A missing or malformed header falls back to REMOTE_ADDR, the proxy itself: strict, never
    open. IPv6 clients are keyed by their /64, which one subscriber usually holds whole.
    """
    header = settings.TRUSTED_PROXY_IP_HEADER
    if header:
        forwarded = _address(request.META.get(header, "").rsplit(",", 1)[-1])
        if forwarded:
            return forwarded
    return _address(request.META.get("REMOTE_ADDR", "")) or "unknown"


def _address(text: str) -> str:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)
