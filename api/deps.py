"""Request dependencies: the settings, the live index, who is asking, and filters from input.

Who may see restricted (Part B) papers: a request carrying ``Authorization: Bearer <token>``
or a ``council_token`` cookie equal to ``settings.member_token`` (compared in constant time).
When ``member_token`` is unset nobody may. A wrong bearer token is refused with 401 so a
misconfigured client notices; a stale cookie just counts as anonymous.
"""

from __future__ import annotations

import hmac
from datetime import date

from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError

from indexer.store.index import Index
from indexer.common.results import BadQuery, Filters
from indexer.retrieve.filters import check_committee
from indexer.common.settings import Settings

COOKIE = "council_token"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_index(request: Request) -> Index:
    """The live index (reopened by the holder when a new generation is swapped in)."""
    return request.app.state.holder.get()


def token_matches(presented: str | None, settings: Settings) -> bool:
    expected = settings.member_token
    if not expected or not presented:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def is_member(request: Request, settings: Settings = Depends(get_settings)) -> bool:
    auth = request.headers.get("authorization")
    if auth is not None:
        scheme, _, presented = auth.partition(" ")
        if scheme.lower() != "bearer" or not token_matches(presented.strip(), settings):
            raise HTTPException(401, "the Authorization header must be 'Bearer <member token>' with the "
                                     "right token (member access is off when the server has no token)",
                                headers={"WWW-Authenticate": "Bearer"})
        return True
    return token_matches(request.cookies.get(COOKIE), settings)


def parse_date_param(name: str, value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadQuery(name, f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2019-11-28") from None


def make_filters(committee: str | None, date_from: str | None, date_to: str | None,
                 doc_type: str | None, member: bool, index: Index | None = None) -> Filters:
    """Filters from user input: blanks mean "any"; raises BadQuery for what must be fixed (with
    ``index``, a committee the index does not hold, listing those it does)."""
    if index is not None:
        check_committee(index, committee)
    return Filters(
        committee=(committee or "").strip() or None,
        date_from=parse_date_param("date_from", date_from),
        date_to=parse_date_param("date_to", date_to),
        doc_type=(doc_type or "").strip() or None,
        include_restricted=member,
    )


# ------------------------------------------------------------------ strict parameters

def _walk(dependant, attr: str, out: list[str]) -> list[str]:
    for f in getattr(dependant, attr):
        if f.alias not in out:
            out.append(f.alias)
    for sub in dependant.dependencies:
        _walk(sub, attr, out)
    return out


def accepted_query(route) -> list[str]:
    """The query parameters a route declares (its own and its dependencies')."""
    return _walk(route.dependant, "query_params", []) if route is not None and hasattr(route, "dependant") else []


def accepted_body(route) -> list[str]:
    """The fields of a route's JSON body model."""
    fields = getattr(route, "dependant", None) and route.dependant.body_params
    if not fields:
        return []
    model = getattr(fields[0], "type_", None) or fields[0].field_info.annotation
    return list(getattr(model, "model_fields", {}))


def reject_unknown_query(request: Request) -> None:
    """Every JSON route: a query parameter it does not declare is a 422 naming it and listing the
    accepted ones (a misspelt ``comittee=`` would otherwise be ignored silently)."""
    route = request.scope.get("route")
    known = accepted_query(route)
    unknown = [k for k in dict.fromkeys(request.query_params.keys()) if k not in known]
    if unknown:
        accepted = ", ".join(known) if known else "none"
        raise RequestValidationError([
            {"loc": ("query", k), "type": "extra_forbidden", "input": request.query_params.get(k),
             "msg": f"is not a query parameter of {request.url.path}; it accepts: {accepted}"} for k in unknown])
