"""The address a request comes from, for the login lockout (django-axes' AXES_CLIENT_IP_CALLABLE)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n > 0 the address the outermost of our n proxies saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the n-th entry
    from the right was written by our first proxy; anything left of it came from the client and may be
    forged. A header shorter than expected (a request that bypassed the proxies) falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    count: int = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
