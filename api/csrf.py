"""CSRF protection for the member forms (sign in, sign out): a double-submit token.

``GET /member`` sets a random ``council_csrf`` cookie (HttpOnly, SameSite=Strict) and puts the
same value in each form as a hidden field; a POST is accepted only when the two agree (compared
in constant time) and, when the browser names an Origin, it is this site. Another site can make a
browser post the form, but cannot read or set the cookie, so it cannot send a matching field.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

CSRF_COOKIE = "council_csrf"
CSRF_FIELD = "csrf"


class CsrfRejected(Exception):
    """A member form without a matching token, or posted from another site (answered 403)."""


def is_https(request: Request) -> bool:
    """The browser spoke HTTPS: to us, or to the trusted proxy in front (``Settings.behind_proxy``)."""
    if request.url.scheme == "https":
        return True
    if request.app.state.settings.behind_proxy:
        return request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower() == "https"
    return False


def csrf_token(request: Request) -> str:
    """The token for this browser: its cookie's, or a new one (set by :func:`set_csrf_cookie`)."""
    current = request.cookies.get(CSRF_COOKIE, "")
    return current if len(current) == 43 else secrets.token_urlsafe(32)


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/member",
                        secure=is_https(request))


def check_csrf(request: Request, submitted: str) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("x-forwarded-host") if request.app.state.settings.behind_proxy else None
        expected = f"{'https' if is_https(request) else 'http'}://{host or request.headers.get('host', '')}"
        if origin.rstrip("/") != expected:
            raise CsrfRejected("the form was sent from another site")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not submitted or not hmac.compare_digest(cookie.encode(), submitted.encode()):
        raise CsrfRejected("the form has expired or did not come from this site")
