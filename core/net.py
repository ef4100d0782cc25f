"""The client's network address, behind the number of trusted reverse proxies that the setting
TRUSTED_PROXY_COUNT names (django-axes and DRF's throttles read it the same way)."""

from django.conf import settings


def client_ip(request) -> str:
    """With N trusted proxies, each appending the address it saw to X-Forwarded-For, the
    client is the N-th address from the right (what the outermost proxy saw); whatever the
    client wrote further left is ignored. With none, the header is ignored entirely."""
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if count <= 0 or not forwarded:
        return remote
    addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
    if not addresses:
        return remote
    return addresses[-min(count, len(addresses))]
