"""The web service: ``create_app(settings, index=None) -> FastAPI``.

HTML and JSON live at different paths (no content negotiation, so a link always gives the
same thing): the JSON API at ``/search``, ``/ask``, ``/meetings``, ``/meetings/{id}``,
``/items/{id}``, ``/documents/{id}/source`` and ``/health`` (OpenAPI docs at ``/docs``); the
pages at ``/``, ``/view/meetings``, ``/view/meetings/{id}``, ``/view/items/{id}`` and ``/member``.

The index (and its embedding model) is opened once, in ``lifespan``, unless one is passed in
(tests). An :class:`IndexHolder` then watches the index directory: when ``council index``
swaps in a new generation, the next request (checks are at most once a second, one small file
read) opens it and later requests use it; requests already running finish on the old one. The
service never sees a half-written index: ``Index.open`` only opens a generation that
``CURRENT`` names, and ``CURRENT`` is replaced atomically after the generation is complete. If
the new generation cannot be opened the old one keeps serving and the error is logged once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexer.retrieve.browse import Withheld
from indexer.common.errors import CouncilError, IndexCorrupt, IndexNotFound, ModelMismatch, NotFound
from indexer.store.index import Index
from indexer.common.results import MAX_K, MAX_QUERY_CHARS, BadQuery
from indexer.common.settings import Settings

from . import feeds, routes, routes_html
from .deps import accepted_body
from .ratelimit import AskLimiter, RateLimited
from .middleware import (  # noqa: F401 - CSP and friends are part of what api.app offers
    CSP, DOCS_CSP, DOCS_PATHS, DOCS_STATIC, MAX_PATH_CHARS, MAX_QUERY_STRING, PROBLEM_JSON, BodyLimit,
    ErrorBoundary, SecurityHeaders, UrlLimit, is_html_path, problem_body,
)

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"

# ------------------------------------------------------------------ the live index

class IndexHolder:
    """Holds the live :class:`Index` and swaps in a new generation when one appears."""

    CHECK_EVERY = 1.0  # seconds between checks of CURRENT
    RETIRE_AFTER = 60.0  # seconds an old generation stays open for requests still using it

    def __init__(self, index: Index, owned: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self._index = index
        self._owned = owned  # close only what we opened; a caller's index is the caller's
        self._clock = clock
        self._checked = clock()
        self._lock = threading.Lock()
        self._retired: list[tuple[float, Index]] = []
        self._last_error: str | None = None

    @property
    def index(self) -> Index:
        return self._index

    def get(self) -> Index:
        now = self._clock()
        if now - self._checked >= self.CHECK_EVERY and self._lock.acquire(blocking=False):
            try:  # one request checks; the others carry on with the current index
                self._checked = now
                self._maybe_reload(now)
            finally:
                self._lock.release()
        return self._index

    def _maybe_reload(self, now: float) -> None:
        for t, old in list(self._retired):
            if now - t >= self.RETIRE_AFTER:
                self._retired.remove((t, old))
                old.close()
        try:
            stale = self._index.is_stale()
        except OSError as exc:
            log.warning("cannot check the index directory: %s", exc)
            return
        if not stale:
            return
        current = self._index
        try:
            new = Index.open(current.index_dir, embedder=current.embedder)
        except (CouncilError, OSError) as exc:
            if str(exc) != self._last_error:
                log.error("a new index generation could not be opened; still serving %s: %s",
                          current.gen.name, exc)
                self._last_error = str(exc)
            return
        self._last_error = None
        self._index = new
        if self._owned:
            self._retired.append((now, current))
        self._owned = True
        log.info("index reloaded: now serving %s (was %s)", new.gen.name, current.gen.name)

    def close(self) -> None:
        for _, old in self._retired:
            old.close()
        self._retired.clear()
        if self._owned:
            self._index.close()


def open_index(settings: Settings) -> Index:
    """Open the index in ``settings.index_dir``; the model is the one it was built with unless
    ``settings.model`` was set explicitly (then a different model is a ModelMismatch)."""
    model = settings.model if "model" in settings.model_fields_set else None
    index = Index.open(settings.index_dir, model=model)
    index.embedder.embed_batch(["warm up"], kind="query")  # load the model now, not on the first request
    serve_threads()
    return index


def serve_threads() -> None:
    """One torch thread per request: a query is one short text, no faster on two threads, and the
    pool runs requests side by side, where two OpenMP threads per encode wait on each other
    (benchmarks/results/latency.md, "Query encode with 1 or 2 torch threads")."""
    try:
        import torch
    except ImportError:  # an embedder without torch
        return
    torch.set_num_threads(1)


# ------------------------------------------------------------------ errors → responses

def _problem(request: Request, status: int, message: str, field: str | None = None,
             headers: dict | None = None, errors: list[dict] | None = None) -> Response:
    if is_html_path(request.url.path):
        titles = {401: "Not signed in", 403: "Not available", 404: "Page not found",
                  405: "Not allowed", 413: "Too much sent", 414: "Address too long", 422: "There is a problem",
                  429: "Too many questions", 503: "Service unavailable"}
        page = routes_html._page(request, "error.html",
                                 {"title": titles.get(status, "Something went wrong"), "message": message,
                                  "status": status}, status_code=status)
        page.headers.update(headers or {})
        return page
    return JSONResponse(problem_body(status, message, field, errors), status_code=status, headers=headers,
                        media_type=PROBLEM_JSON)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BadQuery)
    async def bad_query(request: Request, exc: BadQuery):
        where = "body" if request.method == "POST" else "query"
        return _problem(request, 422, str(exc), exc.field,
                        errors=[{"loc": [where, exc.field], "msg": exc.reason, "type": "value_error"}])

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        return _problem(request, 404, str(exc))

    @app.exception_handler(Withheld)
    async def withheld(request: Request, exc: Withheld):
        return _problem(request, 403, str(exc))

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited):
        return _problem(request, 429, str(exc), headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(CouncilError)
    async def council_error(request: Request, exc: CouncilError):
        if isinstance(exc, (IndexNotFound, IndexCorrupt, ModelMismatch)):
            log.error("index unavailable: %s", exc)
            return _problem(request, 503, "the index is unavailable; the details are in the server log")
        log.error("error answering %s: %s", request.url.path, exc)
        return _problem(request, 500, "the service could not answer; the details are in the server log")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        route = request.scope.get("route")
        body_fields = accepted_body(route)
        parts = []
        for e in exc.errors():
            loc = [str(x) for x in e.get("loc", ())]
            if loc and loc[0] in ("query", "body", "path"):  # where; the rest names the field
                loc = loc[1:]
            name = ".".join(loc) or "body"
            msg, kind = e.get("msg", "is not valid"), e.get("type", "value_error")
            if kind == "json_invalid":
                name, msg = "body", "is not valid JSON"
            elif kind == "missing":
                msg = "is required"
            elif kind == "extra_forbidden" and e.get("loc", ("",))[0] == "body":
                msg = "is not a field of this body; it takes: " + ", ".join(body_fields)
                if name == "q" and "question" in body_fields:
                    msg = "is not a field of this body: use `question` for the question (it takes: " \
                          + ", ".join(body_fields) + ")"
            parts.append((name, f"{name}: {msg}",
                          {"loc": [str(x) for x in e.get("loc", ())] or ["body"], "msg": msg, "type": kind}))
        parts.sort(key=lambda p: "use `question`" not in p[1])  # the misnamed field first: it explains the rest
        field = parts[0][0] if parts else None
        return _problem(request, 422, "; ".join(p[1] for p in parts) or "the request is not valid", field,
                        errors=[p[2] for p in parts] or None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed here"
        elif exc.status_code == 400 and message == "There was an error parsing the body":
            message = "the body could not be read: send JSON in UTF-8"
        return _problem(request, exc.status_code, message, headers=getattr(exc, "headers", None))


# ------------------------------------------------------------------ the schema

def problem_openapi(app: FastAPI) -> dict:
    """The OpenAPI schema with every error as it is answered: each operation documents 422 (any
    JSON route refuses unknown query parameters) as a Problem, in place of FastAPI's default
    HTTPValidationError, which this service never sends."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, summary=app.summary, description=app.description,
                         routes=app.routes, tags=app.openapi_tags)
    problem = {"$ref": "#/components/schemas/Problem"}
    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            old = op.get("responses", {}).get("422", {})
            op.setdefault("responses", {})["422"] = {
                "description": old.get("description") if old.get("description") not in (None, "Validation Error")
                else "Bad input: an unknown parameter or a value to fix; `errors` lists each.",
                "content": {"application/problem+json": {"schema": problem}}}
            for code, resp in op["responses"].items():
                content = resp.get("content", {})
                if code[0] in "45" and "application/json" in content:  # errors are problem+json
                    content["application/problem+json"] = content.pop("application/json")
    comps = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        comps.pop(unused, None)
    app.openapi_schema = schema
    return schema


# ------------------------------------------------------------------ the factory

def create_app(settings: Settings | None = None, index: Index | None = None) -> FastAPI:
    """Build the service. ``index`` (tests, or a CLI that has opened it) skips opening in lifespan."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if index is None:
            opened = await run_in_threadpool(open_index, settings)
            app.state.holder = IndexHolder(opened, owned=True)
            log.info("serving %s (%s, %d chunks)", opened.gen, opened.embedder.model_id,
                     opened.manifest.get("chunks", 0))
        try:
            yield
        finally:
            app.state.holder.close()

    app = FastAPIOffline(
        static_url=DOCS_STATIC,
        title="Council papers search",
        version="0.1.0",
        summary="Semantic search and question answering over council committee papers.",
        description=(
            "Search the papers (`GET /search`: agenda items, one per item with its best passage, paged), ask a "
            "question (`POST /ask`), and read meetings, items and original files by id. Ids contain slashes and are used as they are in paths.\n\n"
            "Restricted (Part B) papers are visible only with `Authorization: Bearer <member token>`.\n\n"
            "**Errors** are `application/problem+json`: `type`, `title`, `status`, `detail` (what to fix), "
            "`field` (the parameter at fault) and `errors`, a list of `{loc, msg, type}` (every field at fault). "
            "A query parameter or body field an endpoint does not take is an error (422) that names it and "
            "lists those it takes.\n\n"
            f"**Limits**: a query or question under {MAX_QUERY_CHARS:,} characters; `k` from 1 to {MAX_K}; "
            f"`limit` from 1 to {routes.MAX_RECOMMENDATIONS}; a request body of at most "
            f"{settings.max_request_bytes:,} bytes (413); a path of at most {MAX_PATH_CHARS:,} characters and a "
            f"query string of at most {MAX_QUERY_STRING:,} bytes (414); "
            + (f"`POST /ask` at most {settings.ask_rate_limit} per client (429 with `Retry-After`)."
               if settings.ask_rate_limit else "no limit on questions per client.")),
        lifespan=lifespan,
        openapi_tags=[{"name": "search", "description": "Agenda items and answers, with citations."},
                      {"name": "browse", "description": "Meetings, items and source files by id."},
                      {"name": "feeds", "description": "Atom feeds of new papers matching a search, and of new "
                                                        "meetings, for a feed reader (public papers only)."},
                      {"name": "service", "description": "Health of the service and its index."}],
    )
    app.state.settings = settings
    app.state.ask_limiter = AskLimiter(settings.ask_rate_limit)
    if index is not None:
        app.state.holder = IndexHolder(index, owned=False)
    install_error_handlers(app)
    app.openapi = lambda: problem_openapi(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(routes_html.router)
    app.include_router(routes.router)
    app.include_router(feeds.router)
    # the last added is outermost: headers on everything, then the 500 boundary, then the size limit
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(UrlLimit)
    app.add_middleware(ErrorBoundary)
    app.add_middleware(SecurityHeaders)
    return app


def make_app() -> FastAPI:
    """For ``uvicorn --factory api.app:make_app``: settings from the environment."""
    return create_app(Settings())
