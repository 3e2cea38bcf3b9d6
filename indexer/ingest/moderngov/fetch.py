"""``fetch_site``: one ModernGov site's committees, meetings and documents into folders.

The web service is tried first; where it is missing or refuses, the public pages. A document
that cannot be fetched is recorded (in the report and in ``meeting.json``) and the rest are
fetched; a site that cannot even list its committees is reported as unusable, with what was
tried and what it answered.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from indexer.ingest.moderngov import pages, service
from indexer.ingest.moderngov.client import PDF_TYPES, FetchError, SiteClient
from indexer.ingest.moderngov.service import Committee, LinkedDoc, MeetingDetail, MeetingRef, ServiceUnusable
from indexer.ingest.moderngov.writer import FetchState, atomic_write, inside, safe_name, temp_path, write_json_if_changed

log = logging.getLogger(__name__)


@dataclass
class Problem:
    where: str  # "Cabinet, 2025-03-13"
    title: str  # the document's title
    url: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.title!r} ({self.url}): {self.reason}"


@dataclass
class FetchReport:
    site: str
    source: str = ""  # "web service" or "public pages"
    committees: int = 0
    meetings: int = 0
    meetings_skipped: int = 0  # finished by the run this one resumed
    downloaded: int = 0
    unchanged: int = 0  # 304, or the same bytes again
    resumed: int = 0  # finished by a killed run, not asked for again
    duplicates: int = 0  # listed twice, or the same bytes as another listing: one file kept
    failures: list[Problem] = field(default_factory=list)
    restricted: list[Problem] = field(default_factory=list)  # recorded, not fetched (or fetched as a member)
    changed: list[Path] = field(default_factory=list)  # meeting folders with new or changed files
    meeting_seconds: list[float] = field(default_factory=list)
    site_error: str | None = None
    tried: list[str] = field(default_factory=list)
    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0


def fetch_site(client: SiteClient, out: Path, committees: tuple[str, ...] = (), date_from: date | None = None,
               date_to: date | None = None, progress: Callable[[str], None] | None = None) -> FetchReport:
    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report = FetchReport(client.root)
    state = FetchState.open(out, client.root)
    try:
        found = _committees(client, report)
        if found is None:
            return report
        chosen = _choose(found, committees, report)
        report.committees = len(chosen)
        for c in chosen:
            for ref in _meetings(client, report, c, date_from, date_to):
                if progress:
                    progress(f"{c.title}, {ref.date.isoformat()}")
                _fetch_meeting(client, report, state, out, c, ref)
        state.finish()
        return report
    finally:
        report.requests, report.bytes = client.stats.requests, client.stats.bytes
        report.seconds = time.perf_counter() - t0


# ------------------------------------------------------------------ listings

def _committees(client: SiteClient, report: FetchReport) -> list[Committee] | None:
    for label, url, parse in (("web service", service.committees_url(), service.parse_committees),
                              ("public pages", pages.COMMITTEES_PAGE, pages.parse_committee_list)):
        try:
            body, _ = client.get(url)
            found = parse(body)
        except (FetchError, ServiceUnusable) as exc:
            report.tried.append(f"{client.root}{url}: {getattr(exc, 'reason', exc)}")
            continue
        if found:
            report.source = label
            return found
        report.tried.append(f"{client.root}{url}: listed no committees")
    report.site_error = "the site is unusable: neither its web service nor its public pages list any committees"
    return None


def _choose(found: list[Committee], wanted: tuple[str, ...], report: FetchReport) -> list[Committee]:
    if not wanted:
        return [c for c in found if not c.deleted]
    by_title = {c.title.casefold(): c for c in found}
    chosen, missing = [], []
    for w in wanted:
        c = by_title.get(service.clean(w).casefold())
        (chosen.append(c) if c else missing.append(w))
    if missing:
        report.site_error = (f"no committee titled {', '.join(repr(m) for m in missing)} on {report.site}; "
                             f"it has: {'; '.join(sorted(c.title for c in found if not c.deleted))}")
        return []
    return chosen


def _meetings(client: SiteClient, report: FetchReport, c: Committee, lo: date | None, hi: date | None):
    try:
        if report.source == "web service":
            body, _ = client.get(service.meetings_url(c.id, lo, hi))
            return service.parse_meetings(body, c.id, lo, hi)
        body, _ = client.get(pages.meetings_page(c.id))
        return pages.parse_meeting_list(body, c.id, lo, hi)
    except (FetchError, ServiceUnusable) as exc:
        report.failures.append(Problem(c.title, "list of meetings", getattr(exc, "url", ""),
                                       getattr(exc, "reason", str(exc))))
        return []


def _detail(client: SiteClient, report: FetchReport, c: Committee, ref: MeetingRef) -> MeetingDetail:
    if report.source == "web service":
        body, _ = client.get(service.meeting_url(ref.id))
        return service.parse_meeting(body, ref, c.title)
    body, _ = client.get(service.meeting_page(c.id, ref.id))
    return pages.parse_meeting_page(body, ref, c.title)


# ------------------------------------------------------------------ one meeting

def _fetch_meeting(client: SiteClient, report: FetchReport, state: FetchState, out: Path,
                   c: Committee, ref: MeetingRef) -> None:
    t0 = time.perf_counter()
    key = str(ref.id)
    done_before = state.meetings.get(key)
    if state.done_this_run(done_before, out):
        report.meetings_skipped += 1  # what went wrong there is still reported
        report.failures += [Problem(*p) for p in done_before.get("failures", [])]
        report.restricted += [Problem(*p) for p in done_before.get("restricted", [])]
        return
    n_failed, n_restricted = len(report.failures), len(report.restricted)
    where = f"{c.title}, {ref.date.isoformat()}"
    try:
        m = _detail(client, report, c, ref)
    except (FetchError, ServiceUnusable) as exc:
        report.failures.append(Problem(where, "meeting details", getattr(exc, "url", ""),
                                       getattr(exc, "reason", str(exc))))
        return
    folder = out / safe_name(m.committee) / m.date.isoformat()
    other = {v.get("folder") for k, v in state.meetings.items() if k != key}
    if str(folder.relative_to(out)) in other:  # two meetings of a committee on one day
        folder = folder.with_name(f"{m.date.isoformat()}-{m.id}")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".*.part"):  # left by a run killed mid-download or mid-write
        stale.unlink(missing_ok=True)
    changed = False
    placed: dict[str, str] = {}  # sha256 -> file name, this meeting: one copy of each file
    taken = {p.name.lower() for p in folder.iterdir()}
    done: dict[str, dict] = {}  # URL -> its meeting.json entry

    def entry(doc: LinkedDoc) -> dict | None:
        nonlocal changed
        try:
            url = client.url(doc.url)
        except FetchError as exc:
            report.failures.append(Problem(where, doc.title, exc.url, exc.reason))
            return _listing(doc, doc.url, None, None, error=exc.reason)
        if url in done:
            report.duplicates += 1
            return done[url]
        rec, fresh = _document(client, report, state, out, folder, key, where, doc, url, placed, taken)
        changed |= fresh
        done[url] = _listing(doc, url, rec, folder)
        return done[url]

    items = []
    for it in m.items:
        docs = []
        for d in it.documents:
            e = entry(d)
            if e is not None and all(x["url"] != e["url"] for x in docs):  # listed twice in one item: once
                docs.append(e)
        items.append({"number": it.number, "title": it.title, "documents": docs})
    loose = []
    for d in m.documents:
        e = entry(d)
        if e is not None and all(x["url"] != e["url"] for x in loose):
            loose.append(e)
    for u in [u for u, r in state.documents.items() if r.get("meeting") == key and u.split("|", 1)[1] not in done]:
        state.documents.pop(u)  # no longer listed: forget it (its file stays until the folder is cleaned)
    meta = {"committee": m.committee, "date": m.date.isoformat(), "start_time": m.start_time, "place": m.place,
            "status": m.status, "url": client.url(service.meeting_page(m.committee_id, m.id)),
            "site": client.root, "committee_id": m.committee_id, "meeting_id": m.id,
            "agenda_published": m.agenda_published, "minutes_published": m.minutes_published,
            "items": items, "documents": loose}
    meta = {k: v for k, v in meta.items() if v is not None}
    changed |= write_json_if_changed(folder / "meeting.json", meta)
    state.meetings[key] = {"folder": str(folder.relative_to(out)), "run": state.run,
                           "failures": [list(vars(p).values()) for p in report.failures[n_failed:]],
                           "restricted": [list(vars(p).values()) for p in report.restricted[n_restricted:]]}
    state.save()
    if changed:
        report.changed.append(folder)
    report.meetings += 1
    report.meeting_seconds.append(time.perf_counter() - t0)


def _listing(doc: LinkedDoc, url: str, rec: dict | None, folder: Path | None, error: str | None = None) -> dict:
    rec = rec or {}
    out = {"title": doc.title, "file": rec.get("name"), "url": url, "attachment_id": doc.attachment_id,
           "restricted": bool(doc.restricted or rec.get("restricted")), "etag": rec.get("etag"),
           "last_modified": rec.get("last_modified")}
    if error or rec.get("error"):
        out["error"] = error or rec["error"]
    return {k: v for k, v in out.items() if v is not None}


def _document(client: SiteClient, report: FetchReport, state: FetchState, out: Path, folder: Path, meeting: str,
              where: str, doc: LinkedDoc, url: str, placed: dict[str, str], taken: set[str]) -> tuple[dict, bool]:
    """Fetch one listed document into ``folder``: (its state record, whether a file changed)."""
    skey = f"{meeting}|{url}"
    rec = state.documents.get(skey)
    if state.done_this_run(rec, out):
        report.resumed += 1
        if rec.get("sha256"):
            placed.setdefault(rec["sha256"], rec["name"])
        return rec, False
    old = folder / rec["name"] if rec and rec.get("name") and (folder / rec["name"]).is_file() else None
    new = {"meeting": meeting, "run": state.run, "restricted": doc.restricted}
    if doc.restricted and not client.has_credentials:
        report.restricted.append(Problem(where, doc.title, url, "marked restricted; not fetched without member "
                                                                "credentials"))
        if old is not None:  # fetched before it was restricted: keep it, marked
            new.update({k: rec[k] for k in ("name", "file", "sha256", "etag", "last_modified") if k in rec})
            _mark_restricted(old)
        return _store(state, skey, new), False
    tmp = temp_path(folder)
    try:
        dl = client.download(url, tmp, rec.get("etag") if old else None, rec.get("last_modified") if old else None)
    except FetchError as exc:
        tmp.unlink(missing_ok=True)
        if exc.status in (401, 403):  # refused even as a browser: a member-only document
            new["restricted"] = True
            report.restricted.append(Problem(where, doc.title, url, f"{exc.reason}: recorded as restricted"))
            if old is not None:
                new.update({k: rec[k] for k in ("name", "file", "sha256", "etag", "last_modified") if k in rec})
                _mark_restricted(old)
            return _store(state, skey, new), False
        report.failures.append(Problem(where, doc.title, exc.url, exc.reason))
        if old is not None:  # keep what we had
            new.update({k: rec[k] for k in ("name", "file", "sha256", "etag", "last_modified") if k in rec})
        new["error"] = exc.reason
        return _store(state, skey, new), False
    if dl.status == 304:
        report.unchanged += 1
        new.update({k: rec[k] for k in ("name", "file", "sha256", "etag", "last_modified") if k in rec})
        placed.setdefault(rec.get("sha256", ""), rec["name"])
        if new["restricted"]:
            _mark_restricted(old)
        return _store(state, skey, new), False
    sha = _sha256(tmp)
    fresh = False
    if sha in placed:  # the same bytes under another listing (a pack and its part): one copy
        tmp.unlink()
        name = placed[sha]
        report.duplicates += 1
    elif old is not None and rec.get("sha256") == sha:  # the site ignored our validators
        tmp.unlink()
        name = old.name
        report.unchanged += 1
    else:
        is_pdf = dl.content_type in PDF_TYPES or tmp.read_bytes()[:5] == b"%PDF-"
        suffix = ".pdf" if is_pdf else ".html"
        name = old.name if old is not None and old.suffix == suffix else safe_name(doc.title, suffix, taken)
        os.replace(tmp, inside(folder, name))
        report.downloaded += 1
        fresh = True
    placed.setdefault(sha, name)
    new.update({"name": name, "file": str((folder / name).relative_to(out)), "sha256": sha, "etag": dl.etag,
                "last_modified": dl.last_modified})
    if new["restricted"]:
        _mark_restricted(folder / name)
    return _store(state, skey, new), fresh


def _store(state: FetchState, key: str, rec: dict) -> dict:
    state.documents[key] = rec
    state.save()  # after every document: a killed run loses at most the one in flight
    return rec


def _mark_restricted(path: Path) -> None:
    """A ``.restricted`` sidecar: `council index` keeps the file from anonymous users."""
    side = path.with_name(path.name + ".restricted")
    if not side.exists():
        atomic_write(side, b"Marked restricted by the council's site (ModernGov isrestricted, or 401/403).\n")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
