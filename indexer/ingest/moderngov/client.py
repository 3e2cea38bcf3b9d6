"""HTTP for one ModernGov site: polite, retrying, conditional, capped, and kept on the site's host.

One request at a time, ``delay`` seconds apart; a User-Agent naming the project; retries with
exponential backoff on 429, 5xx, timeouts and dropped connections, honouring ``Retry-After``;
``If-None-Match`` / ``If-Modified-Since`` so an unchanged document costs one 304; downloads
stream to a file and stop at ``max_bytes``; only PDF and HTML (and the web service's XML) are
accepted. A site that answers 403 to our User-Agent is asked once more as a browser would
(still naming the project), and is asked that way from then on.

Member credentials (a cookie or a header) are sent with every request and never logged or
written anywhere: :meth:`SiteClient.describe` and errors show only that they are set.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

PROJECT_UA = "council-papers-search/0.1 (committee papers search; one request at a time)"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) " + PROJECT_UA
PDF_TYPES = ("application/pdf", "application/x-pdf", "application/acrobat")
HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = ("text/xml", "application/xml")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_SAFE_PATH = "/%:@!$&'()*+,;=~"
_SAFE_QUERY = _SAFE_PATH + "?"


class FetchError(Exception):
    """A request that did not give what we asked for; ``reason`` says why in a user's words."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url, self.reason, self.status = url, reason, status
        super().__init__(f"{url}: {reason}")


@dataclass
class Politeness:
    """How hard we may press a site. Tests set the delays to ~0."""

    delay: float = 1.0  # seconds between the end of one request and the start of the next
    timeout: float = 30.0
    retries: int = 3  # further attempts after the first
    backoff: float = 2.0  # first wait; doubles each retry
    max_wait: float = 120.0  # longest we wait for one Retry-After or backoff
    max_bytes: int = 50 * 1024 * 1024


@dataclass
class Stats:
    requests: int = 0
    bytes: int = 0  # response bodies received
    not_modified: int = 0
    retries: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Download:
    status: int  # 200, or 304 when unchanged
    path: Path | None  # where the body was written (None for 304)
    content_type: str
    etag: str | None
    last_modified: str | None
    size: int
    url: str  # after redirects


class SiteClient:
    """Requests to one ModernGov site. Use as a context manager."""

    def __init__(self, site: str, politeness: Politeness | None = None, *,
                 cookie: str | None = None, header: str | None = None,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        parts = urlsplit(site if "://" in site else "https://" + site)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{site!r} is not a web address (https://democracy.example.gov.uk)")
        self.scheme, self.host = parts.scheme, parts.hostname.lower()
        self.root = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/", "", ""))
        self.p = politeness or Politeness()
        self.stats = Stats()
        self.browser = False  # switched on when the site refuses non-browser clients
        self._sleep = sleep
        self._last = 0.0
        secret: dict[str, str] = {}
        if cookie:
            secret["Cookie"] = cookie
        if header:
            name, _, value = header.partition(":")
            if not value.strip():
                raise ValueError("--member-header must look like 'Name: value'")
            secret[name.strip()] = value.strip()
        self.has_credentials = bool(secret)
        import httpx  # deferred: `council --help` need not wait for the HTTP stack

        self._hx = httpx
        self._http = httpx.Client(headers=secret, timeout=self.p.timeout, follow_redirects=False,
                                  transport=transport)

    def __enter__(self) -> SiteClient:
        return self

    def __exit__(self, *exc) -> None:
        self._http.close()

    def describe(self) -> str:
        return f"{self.root} (credentials {'set' if self.has_credentials else 'not set'})"

    # ------------------------------------------------------------ addresses

    def url(self, ref: str) -> str:
        """An absolute URL on this site for ``ref``; ``http://`` on our host becomes our scheme.
        Anything on another host raises :class:`FetchError` (the fetcher stays on the site)."""
        absolute = urljoin(self.root, ref.strip())
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != self.host:
            raise FetchError(absolute, f"not on the council's site {self.host}; not fetched")
        # spaces and other unsafe characters as the site's links carry them, percent-encoded
        # (existing escapes are kept), so the URL can be linked to as it is
        return urlunsplit((self.scheme, parts.netloc, quote(parts.path, safe=_SAFE_PATH),
                           quote(parts.query, safe=_SAFE_QUERY), ""))

    # ------------------------------------------------------------ requests

    def get(self, ref: str, accept: tuple[str, ...] = XML_TYPES + HTML_TYPES) -> tuple[bytes, str]:
        """GET a page or a web-service answer: (body, content type)."""
        resp, body = self._request(self.url(ref), {}, None, accept)
        return body, _ctype(resp)

    def download(self, ref: str, dest: Path, etag: str | None = None,
                 last_modified: str | None = None) -> Download:
        """GET a document into ``dest`` (written whole or not at all); 304 leaves it alone."""
        cond = {}
        if etag:
            cond["If-None-Match"] = etag
        if last_modified:
            cond["If-Modified-Since"] = last_modified
        resp, _ = self._request(self.url(ref), cond, dest, PDF_TYPES + HTML_TYPES)
        if resp.status_code == 304:
            return Download(304, None, "", etag, last_modified, 0, str(resp.url))
        return Download(200, dest, _ctype(resp), resp.headers.get("etag"), resp.headers.get("last-modified"),
                        dest.stat().st_size, str(resp.url))

    def _request(self, url: str, extra: dict, dest: Path | None, accept: tuple[str, ...]):
        attempt, hops, as_browser = 0, 0, self.browser
        while True:
            self._pause()
            headers = {"User-Agent": BROWSER_UA if as_browser else PROJECT_UA, **extra}
            try:
                resp, body = self._once(url, headers, dest, accept)
            except (self._hx.TimeoutException, self._hx.TransportError) as exc:
                reason = "timed out" if isinstance(exc, self._hx.TimeoutException) else f"connection failed ({exc})"
                if attempt >= self.p.retries:
                    raise FetchError(url, f"{reason}, {attempt + 1} attempts") from None
                attempt += 1
                self._wait(None, attempt)
                continue
            code = resp.status_code
            if code in (301, 302, 303, 307, 308) and resp.headers.get("location"):
                hops += 1
                if hops > 5:
                    raise FetchError(url, "too many redirects", code)
                url = self.url(urljoin(url, resp.headers["location"]))  # redirects stay on the site too
                continue
            if code == 403 and not as_browser:
                as_browser = True  # some sites refuse clients that do not look like a browser
                continue
            if as_browser and not self.browser and 200 <= code < 400:
                log.info("%s refuses our User-Agent; asking as a browser from now on", self.host)
                self.browser = True
            if code in RETRY_STATUSES and attempt < self.p.retries:
                attempt += 1
                self._wait(resp.headers.get("retry-after"), attempt)
                continue
            if code == 304 or 200 <= code < 300:
                return resp, body
            raise FetchError(url, _status_reason(code, attempt), code)

    def _once(self, url: str, headers: dict, dest: Path | None, accept: tuple[str, ...]):
        self.stats.requests += 1
        with self._http.stream("GET", url, headers=headers) as resp:
            self.stats.statuses[resp.status_code] = self.stats.statuses.get(resp.status_code, 0) + 1
            if resp.status_code == 304:
                self.stats.not_modified += 1
            if not 200 <= resp.status_code < 300:
                resp.read()
                self.stats.bytes += len(resp.content)
                return resp, b""
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.p.max_bytes:
                raise FetchError(url, f"{int(declared):,} bytes is over the {self.p.max_bytes:,}-byte cap; "
                                      "not downloaded", resp.status_code)
            ctype = _ctype(resp)
            chunks, size, first = [], 0, b""
            out = dest.open("wb") if dest is not None else None
            try:
                for part in resp.iter_bytes():
                    if not first:
                        first = part[:8]
                        if not _accepted(ctype, first, accept):
                            raise FetchError(url, f"content type {ctype or 'none'} is not "
                                                  f"{'PDF or HTML' if dest else 'XML or HTML'}; not kept")
                    size += len(part)
                    self.stats.bytes += len(part)
                    if size > self.p.max_bytes:
                        raise FetchError(url, f"over the {self.p.max_bytes:,}-byte cap; download stopped")
                    if out is not None:
                        out.write(part)
                    else:
                        chunks.append(part)
            except BaseException:
                if out is not None:
                    out.close()
                    dest.unlink(missing_ok=True)
                raise
            if out is not None:
                out.close()
            if size == 0 and not _accepted(ctype, b"", accept):
                raise FetchError(url, "empty answer")
            return resp, b"".join(chunks)

    def _pause(self) -> None:
        gap = self.p.delay - (time.monotonic() - self._last)
        if self._last and gap > 0:
            self._sleep(gap)
        self._last = time.monotonic()

    def _wait(self, retry_after: str | None, attempt: int) -> None:
        self.stats.retries += 1
        wait = self.p.backoff * 2 ** (attempt - 1)
        told = _retry_after_seconds(retry_after)
        if told is not None:
            wait = max(wait, told)
        self._sleep(min(wait, self.p.max_wait))


def _ctype(resp: httpx.Response) -> str:
    return resp.headers.get("content-type", "").split(";")[0].strip().lower()


def _accepted(ctype: str, first: bytes, accept: tuple[str, ...]) -> bool:
    if ctype in accept:
        return True
    # a PDF served as a download ("application/octet-stream") is still a PDF: trust its bytes
    return ctype in ("application/octet-stream", "binary/octet-stream", "") and first.startswith(b"%PDF-") \
        and any(t in PDF_TYPES for t in accept)


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _status_reason(code: int, retried: int) -> str:
    known = {401: "needs a member sign-in (401)", 403: "refused (403)", 404: "not found (404)",
             410: "gone (410)", 429: "too many requests (429)"}
    reason = known.get(code) or (f"server error ({code})" if code >= 500 else f"answered {code}")
    return reason + (f" after {retried + 1} attempts" if retried else "")
