"""Two middlewares.

`OperationsMiddleware`, first of all: answers /healthz, /readyz and /metrics before anything
else runs (no session, no login, no host check: a load balancer asks by IP), so they stay fast
and answer even when the session store is down.

`RequestLogMiddleware`, right after it: gives the request its id (X-Request-ID in and out),
writes one JSON log line per request (method, view, status, duration, user id: no personal
data), and records the request's latency for /metrics."""

import hmac
import ipaddress
import json
import logging
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from ops import health, metrics
from ops.context import new_request_id, request_id

logger = logging.getLogger("ops.requests")


def _internal(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _metrics_allowed(request) -> bool:
    """With METRICS_TOKEN set: `Authorization: Bearer <token>`. Without: loopback only (bind
    the scraper to the host, or put the token in its config)."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    return _internal(request.META.get("REMOTE_ADDR", ""))


class OperationsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path == "/healthz":
            return JsonResponse({"status": "ok"})
        if path == "/readyz":
            checks = health.readiness(timezone.now())
            ready = all(check.ok for check in checks.values())
            body = {
                "status": "ok" if ready else "unavailable",
                "checks": {name: vars(check) for name, check in checks.items()},
            }
            return HttpResponse(
                json.dumps(body), status=200 if ready else 503, content_type="application/json"
            )
        if path == "/metrics":
            if not _metrics_allowed(request):
                return HttpResponse(status=404)
            output, content_type = metrics.render()
            return HttpResponse(output, content_type=content_type)
        return self.get_response(request)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_id.set(new_request_id(request.META.get("HTTP_X_REQUEST_ID")))
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id.get()
            return response
        finally:
            seconds = time.perf_counter() - started
            match = getattr(request, "resolver_match", None)
            view = match.view_name if match and match.view_name else "unmatched"
            user = getattr(request, "user", None)
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "view": view,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            metrics.observe_request(
                view=view, method=request.method, status=status, seconds=seconds
            )
            request_id.reset(token)
