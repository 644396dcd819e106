"""The address of the client behind a request, when the site is served through proxies.

Behind a reverse proxy every connection comes from the proxy, which names the client in
``X-Forwarded-For``: each proxy appends the address its connection came from, so the header
ends with what the trusted proxies saw, and whatever a client wrote itself comes before. The
header is believed only from the proxies in ``settings.TRUSTED_PROXIES``
(``DJANGO_TRUSTED_PROXIES``), reading it from the right and skipping those proxies: the first
other address is the client's. Without trusted proxies the header is ignored, so a client
reaching the site directly cannot choose the address it is known by.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def parse_networks(text):
    """Addresses and networks (``"127.0.0.1, 10.0.0.0/8, ::1"``) as a list of
    ``ipaddress`` networks; ImproperlyConfigured on anything else."""
    networks = []
    for item in text.split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError as error:
                raise ImproperlyConfigured(
                    f"DJANGO_TRUSTED_PROXIES: {item.strip()!r} is not an IP address or network"
                ) from error
    return networks


def _is_trusted_proxy(address):
    return any(
        address.version == network.version and address in network
        for network in settings.TRUSTED_PROXIES
    )


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request):
    """The IP address (a str) of the client that sent ``request``: the connection's address,
    or, when that is a trusted proxy's, the nearest address in ``X-Forwarded-For`` that is not a
    trusted proxy's. Used by the sign-in throttle (django-axes)."""
    remote = request.META.get("REMOTE_ADDR", "")
    address = _address(remote)
    if address is None or not _is_trusted_proxy(address):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        hop = _address(hop)
        if hop is None:
            break  # not written by a proxy we trust: stop at the last one that was
        address = hop
        if not _is_trusted_proxy(hop):
            break
    return str(address)
