"""Pure ASGI middleware: security headers, limits on what a request may send, the last-resort 500.

Limits (documented in the OpenAPI description): a request body over ``max_request_bytes`` is
413; a path over MAX_PATH_CHARS characters or a query string over MAX_QUERY_STRING bytes is 414.
Every error answers the way its path does: a readable page for the web pages
(:func:`is_html_path`), ``application/problem+json`` (RFC 9457) for the API.
"""

from __future__ import annotations

import html
import json
import logging
from http import HTTPStatus

log = logging.getLogger("api.app")

PROBLEM_JSON = "application/problem+json"
MAX_PATH_CHARS = 2_000
MAX_QUERY_STRING = 8_192

# Pages have no JavaScript at all; styles come from /static only.
CSP = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Swagger UI and ReDoc (at /docs, /redoc) are the one exception: an inline script starts the
# bundle, which fastapi-offline serves from the package at DOCS_STATIC (no CDN: the docs work on
# a council network that cannot reach the internet).
DOCS_STATIC = "/static-docs"
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; worker-src blob:; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")


def is_html_path(path: str) -> bool:
    return path == "/" or path.startswith(("/view/", "/member")) or path == "/view"


class SecurityHeaders:
    """CSP and friends on every response; no caching of dynamic (possibly restricted) pages."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"content-security-policy", b"cache-control")]
                csp = DOCS_CSP if path.startswith(DOCS_PATHS) else CSP
                cache = b"public, max-age=3600" if path.startswith(("/static/", DOCS_STATIC + "/")) else b"no-store"
                headers += [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
                            (b"cache-control", cache), (b"vary", b"Authorization, Cookie")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, by Content-Length or while streaming."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.limit
            except ValueError:
                return await send_error(send, path, 400, "Content-Length is not a number")
            if too_big:
                return await send_error(send, path, 413, _too_large(self.limit))
        # No (or a lying) Content-Length: count while the body streams in. Past the limit we answer
        # 413 at once and tell the app the client has gone, then drop whatever it still sends.
        seen = 0
        started = rejected = False

        async def counting_receive():
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    rejected = True
                    if not started:
                        await send_error(send, path, 413, _too_large(self.limit))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal started
            if rejected:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not rejected:
                raise


def _too_large(limit: int) -> str:
    return f"the request body is over the limit of {limit:,} bytes; send less"


class ErrorBoundary:
    """The last line: any unexpected error is logged and answered with a plain 500, no trace."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                return
            await send_error(send, scope.get("path", ""), 500, "internal error: the service could not answer; "
                                                             "the details are in the server log")


async def _send(send, status: int, body: bytes, ctype: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


ERROR_TYPES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               413: "too_large", 414: "uri_too_long", 422: "value_error", 429: "rate_limited", 500: "internal_error",
               503: "unavailable"}


def problem_body(status: int, detail: str, field: str | None = None, errors: list[dict] | None = None) -> dict:
    """The one shape of every API error: RFC 9457 problem details (``detail``, one sentence; ``field``,
    the first at fault) and ``errors``, each problem as ``{loc, msg, type}`` (a validation error lists
    every field; any other error is one entry)."""
    if errors is None:
        errors = [{"loc": [field] if field else [], "msg": detail, "type": ERROR_TYPES.get(status, "error")}]
    return {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, "field": field, "errors": errors}


def error_page(title: str, message: str) -> bytes:
    """A plain readable page for errors answered before the templates are reached."""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '<link rel="stylesheet" href="/static/style.css"></head><body><main><h1>'
            f'{html.escape(title)}</h1><p role="alert">{html.escape(message)}</p><p><a href="/">Back to '
            'search</a></p></main></body></html>').encode()


async def send_error(send, path: str, status: int, detail: str, field: str | None = None) -> None:
    if is_html_path(path):
        await _send(send, status, error_page(HTTPStatus(status).phrase, detail), b"text/html; charset=utf-8")
    else:
        await _send(send, status, json.dumps(problem_body(status, detail, field)).encode(), PROBLEM_JSON.encode())


class UrlLimit:
    """Refuse paths over MAX_PATH_CHARS characters and query strings over MAX_QUERY_STRING bytes (414)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            path = scope.get("path", "")
            if len(path) > MAX_PATH_CHARS:
                return await send_error(send, path[:50], 414, f"the address is over {MAX_PATH_CHARS:,} characters; "
                                                              "ids are much shorter")
            if len(scope.get("query_string", b"")) > MAX_QUERY_STRING:
                return await send_error(send, path, 414, f"the query string is over {MAX_QUERY_STRING:,} bytes; "
                                                         "a query is under 2,000 characters")
        await self.app(scope, receive, send)
