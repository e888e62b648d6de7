"""The client's IP address, read through a known number of trusted proxies.

``X-Forwarded-For`` is a list anyone can start: a client may send
``X-Forwarded-For: 1.2.3.4`` itself. Each proxy *appends* the address it
received the request from, so with ``TRUSTED_PROXY_COUNT`` proxies in front
of the application the client is the entry that many places from the right;
everything to its left is the client's own claim and is ignored. With no
trusted proxy (the default) the header is ignored altogether.
"""

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
        # Fewer hops than proxies: the request skipped a proxy. Trust nothing
        # the header says; the direct peer is the best we know.
        return remote
    return _valid(forwarded[-count])


def user_agent(request):
    return request.META.get("HTTP_USER_AGENT", "")[:512]
