"""What every request to /api/v1/ gets, whatever its endpoint: rate limits per caller
with their headers, idempotency keys on POSTs, and ETags on reads (docs/api.md).
Endpoints do nothing for it.

- **Rate limits**: each caller (a personal access token, an OAuth application's
  grant, the session's person; an address when nobody is recognised) has a budget of
  reads (GET, HEAD) and one of writes per window, counted in Django's cache (Redis when
  configured, the database's cache table otherwise). Every answer says where the
  caller stands, in the IETF draft's `RateLimit-Policy` and `RateLimit` headers and in
  the widely used `RateLimit-Limit`, `-Remaining` and `-Reset`; past the budget, a 429
  problem with `Retry-After`, and nothing runs.
- **Idempotency keys**: a POST with an `Idempotency-Key` header runs once per caller
  and key for 24 hours; the same request again gets the first answer (with
  `Idempotent-Replayed: true`) without running the action again; the same key with
  another request is a 422 problem; while the first still runs, a 409 problem. Only
  answers that did something (2xx, 3xx) are kept: after an error the key may be sent
  again.
- **ETags**: a successful read carries a strong `ETag` (a hash of its body); sent
  back in `If-None-Match`, it gets a 304 with no body when nothing changed.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from cercle.api.auth import SAFE_METHODS, request_caller
from cercle.api.models import KEEP_IDEMPOTENT_ANSWERS, IdempotentRequest
from cercle.api.problems import PROBLEM_TYPE, problem

API_PREFIX = "/api/v1/"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Budget:
    policy: str  # "reads" or "writes"
    limit: int
    window: int  # seconds
    used: int
    reset: int  # seconds until the window starts again

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit

    def headers(self) -> dict[str, str]:
        return {
            # draft-ietf-httpapi-ratelimit-headers
            "RateLimit-Policy": f'"{self.policy}";q={self.limit};w={self.window}',
            "RateLimit": f'"{self.policy}";r={self.remaining};t={self.reset}',
            # the older, widely used form
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }


def _count(key: str, *, timeout: int) -> int:
    """Add one to a counter of the cache and return it. Redis counts atomically. The
    database's cache table has no atomic increment (Django's is a read then a write
    too), so there it is a read and a write: the same queries for every request,
    whether the window's counter exists yet or not (a burst of simultaneous requests
    may be counted a little short)."""
    if isinstance(cache, RedisCache):
        cache.add(key, 0, timeout=timeout)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=timeout)
            return 1
    used = int(cache.get(key, 0)) + 1
    cache.set(key, used, timeout=timeout)
    return used


def spend(request: HttpRequest, caller_key: str) -> Budget:
    """Count this request against its caller's budget, and say where it stands."""
    reads = request.method in SAFE_METHODS
    policy = "reads" if reads else "writes"
    limit = settings.CERCLE_API_RATE_READS if reads else settings.CERCLE_API_RATE_WRITES
    window = settings.CERCLE_API_RATE_WINDOW
    now = time.time()
    start = int(now // window) * window
    key = f"api-rate:{policy}:{caller_key}:{start}"
    used = _count(key, timeout=window + 1)
    return Budget(
        policy=policy,
        limit=limit,
        window=window,
        used=used,
        reset=max(1, math.ceil(start + window - now)),
    )


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status or 200, content_type=record.content_type
    )
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(
    request: HttpRequest,
    caller_key: str,
    key: str,
    run: Callable[[HttpRequest], HttpResponseBase],
) -> HttpResponseBase:
    """Run the POST once for this caller and key (see the module's docstring)."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        return problem(
            request,
            400,
            _("An Idempotency-Key is 1 to %(max)d printable characters.") % {"max": MAX_KEY_LENGTH},
        )
    fingerprint = _fingerprint(request)
    now = timezone.now()
    IdempotentRequest.objects.filter(created_at__lt=now - KEEP_IDEMPOTENT_ANSWERS).delete()
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                caller=caller_key[:100], key=key, fingerprint=fingerprint
            )
    except IntegrityError:
        first = IdempotentRequest.objects.filter(caller=caller_key[:100], key=key).first()
        if first is None:  # forgotten meanwhile: send it again
            return problem(request, 409, _("Send the request again."))
        if first.fingerprint != fingerprint:
            return problem(
                request,
                422,
                _(
                    "This Idempotency-Key was already used for another request: "
                    "use a new key for a new request."
                ),
            )
        if first.status is None:
            return problem(
                request,
                409,
                _("The first request with this Idempotency-Key is still running: wait."),
                headers={"Retry-After": "1"},
            )
        return _replay(first)
    try:
        response = run(request)
    except BaseException:
        record.delete()
        raise
    if 200 <= response.status_code < 400 and isinstance(response, HttpResponse):
        record.status = response.status_code
        record.content_type = response.get("Content-Type", "")[:100]
        record.body = response.content
        record.location = response.get("Location", "")[:2000]
        record.save(update_fields=["status", "content_type", "body", "location"])
    else:
        record.delete()
    return response


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [part.strip() for part in header.split(",")]
    return any(candidate == "*" or candidate.removeprefix("W/") == etag for candidate in candidates)


def with_etag(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """A strong ETag on a successful read, and a 304 when the caller has it already."""
    patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
    if (
        request.method not in {"GET", "HEAD"}
        or response.status_code != 200
        or not isinstance(response, HttpResponse)
    ):
        return response
    if not response.has_header("Cache-Control"):
        # The caller may keep it, and must ask again (with its ETag) before using it.
        response["Cache-Control"] = "private, no-cache"
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
    response["ETag"] = etag
    sent = request.headers.get("If-None-Match", "")
    if sent and _etag_matches(sent, etag):
        not_modified = HttpResponse(status=304)
        for name in ("ETag", "Cache-Control", "Vary"):
            not_modified[name] = response[name]
        for name, value in response.items():
            if name.lower().startswith("ratelimit"):
                not_modified[name] = value
        return not_modified
    return response


def as_problem(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """An error that did not come from an endpoint (an address no route matches, a
    method the route does not take) as a problem too, like every error of the API."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(
        (PROBLEM_TYPE, "application/json")
    ):
        return response
    answer = problem(request, response.status_code)
    if response.has_header("Allow"):
        answer["Allow"] = response["Allow"]
    return answer


class ApiMiddleware:
    """Rate limits, idempotency keys and ETags for /api/v1/ (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        caller = request_caller(request)
        if (
            caller is not None
            and caller.person.language
            and "HTTP_ACCEPT_LANGUAGE" not in request.META
        ):
            # A script that names no language reads its person's.
            translation.activate(caller.person.language)
            request.LANGUAGE_CODE = caller.person.language
        caller_key = caller.key if caller is not None else f"ip:{request.META.get('REMOTE_ADDR')}"
        budget = spend(request, caller_key)
        if budget.exceeded:
            response: HttpResponseBase = problem(
                request,
                429,
                _("Too many requests for this token: wait %(seconds)d seconds.")
                % {"seconds": budget.reset},
                headers={"Retry-After": str(budget.reset)},
            )
        else:
            key = request.headers.get("Idempotency-Key")
            if request.method == "POST" and key is not None and caller is not None:
                response = idempotent(request, caller.key, key, self.get_response)
            else:
                response = self.get_response(request)
        response = as_problem(request, response)
        for name, value in budget.headers().items():
            response[name] = value
        return with_etag(request, response)
