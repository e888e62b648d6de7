"""The client address: ``TRUSTED_PROXY_COUNT`` entries from the right of ``X-Forwarded-For``."""

import ipaddress

from django.conf import settings


def _valid(address):
    try:
        return str(ipaddress.ip_address(address.strip()))
    except (AttributeError, ValueError):
        return None


def client_ip(request):
    count = settings.TRUSTED_PROXY_COUNT
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    if count <= 0:
        return remote
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [hop for hop in forwarded if hop]
    if len(forwarded) < count:
        # Fewer hops than proxies: a proxy was skipped; trust only the direct peer.
        return remote
    return _valid(forwarded[-count])


def user_agent(request):
    return request.META.get("HTTP_USER_AGENT", "")[:512]
