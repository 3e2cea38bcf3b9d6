"""A per-client limit on questions (``POST /ask`` and the form's ask mode), with ``Retry-After``.

``Settings.ask_rate_limit`` is a `limits` string such as ``"20/minute"`` (empty: no limit). The
client is the connection's address, or the first ``X-Forwarded-For`` address when
``Settings.behind_proxy`` says a trusted reverse proxy sets it. Counts are kept in memory,
per process, in a moving window.
"""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from indexer.common.errors import CouncilError


class RateLimited(CouncilError):
    """Too many questions from one client (answered 429 with Retry-After)."""

    def __init__(self, retry_after: int, limit: str) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many questions from this address (the limit is {limit}); "
                         f"try again in {retry_after} second{'s' if retry_after != 1 else ''}")


class AskLimiter:
    def __init__(self, spec: str | None) -> None:
        self.spec = (spec or "").strip()
        self.item = parse(self.spec) if self.spec else None
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, client: str) -> None:
        """Count one question from ``client``; RateLimited when it is over the limit."""
        if self.item is None:
            return
        if not self.limiter.hit(self.item, "ask", client):
            reset = self.limiter.get_window_stats(self.item, "ask", client).reset_time
            raise RateLimited(max(1, math.ceil(reset - time.time())), self.spec)


def client_of(request: Request) -> str:
    if request.app.state.settings.behind_proxy:
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.client.host if request.client else "unknown"


def limit_asks(request: Request) -> None:
    """Dependency of the routes that answer questions."""
    request.app.state.ask_limiter.hit(client_of(request))
