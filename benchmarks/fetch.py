"""Benchmark: `council fetch` against the stand-in ModernGov site (tests/ingest/standin.py),
served on localhost, scaled to MEETINGS copies of its richest meeting (a multi-page report, an
appendix listed twice, a same-bytes supplement, an agenda pack repeating the parts, a
restricted paper) plus its other meetings and quirks (an off-site link, an unsafe title).

Measures: requests and bytes of a first fetch and of a second one (conditional requests);
time per meeting (with no delay, and what the default 1 s politeness delay adds); what a run
killed half-way and then resumed asked for again; and, after indexing the fetched papers,
how many passages link to the council's document at a PDF page that holds them (pypdf).

Run:  .venv/bin/python benchmarks/fetch.py [--meetings 20]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pypdf import PdfReader  # noqa: E402
from pytest_httpserver import HTTPServer  # noqa: E402

from benchmarks.common import start_clock, table, write_result  # noqa: E402
from indexer.embed.hashing import HashEmbedder  # noqa: E402
from indexer.ingest.moderngov import Politeness, SiteClient, fetch_site  # noqa: E402
from indexer.retrieve.search import result_by_chunk_id  # noqa: E402
from indexer.store.index import Index, update_index  # noqa: E402
from indexer.structure.privacy import restricted_documents  # noqa: E402
from tests.ingest.standin import Site, serve  # noqa: E402

FAST = Politeness(delay=0.0, timeout=5.0, retries=2, backoff=0.0, max_wait=0.01)


class Killed(Exception):
    pass


def scaled_site(root: Path, meetings: int) -> Site:
    site = Site(root).build()
    base = next(m for m in site.meetings if m.id == 1001)
    for k in range(1, meetings):
        site.meetings.append(replace(base, id=5000 + k, date=base.date - timedelta(weeks=2 * k)))
    return site


def doc_log(entries) -> list[tuple[str, int, int]]:
    return [(p, s, n) for _, p, s, n in entries if "mgWebService" not in p]


def fetch(site: Site, out: Path, politeness: Politeness = FAST, **kw):
    with SiteClient(f"http://localhost:{site.port}/", politeness, **kw) as c:
        return fetch_site(c, out)


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--meetings", type=int, default=20)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    started = start_clock()
    tmp = Path(tempfile.mkdtemp(prefix="fetch-bench-"))
    server = HTTPServer()
    server.start()
    try:
        site = serve(server, scaled_site(tmp, args.meetings))
        rows = []
        out = tmp / "papers"
        t = time.perf_counter()
        first = fetch(site, out)
        t_first = time.perf_counter() - t
        n1 = len(site.log)
        d1 = doc_log(site.log)
        second = fetch(site, out)
        d2 = doc_log(site.log[n1:])
        rows.append(["first fetch", first.meetings, first.requests, f"{first.bytes / 1024:.1f} KiB",
                     sum(1 for _, s, _ in d1 if s == 200), f"{sum(n for _, s, n in d1 if s == 200) / 1024:.1f} KiB",
                     0, f"{t_first:.2f} s", f"{1000 * sum(first.meeting_seconds) / len(first.meeting_seconds):.0f} ms"])
        rows.append(["second fetch", second.meetings, second.requests, f"{second.bytes / 1024:.1f} KiB",
                     sum(1 for _, s, _ in d2 if s == 200), f"{sum(n for _, s, n in d2 if s == 200) / 1024:.1f} KiB",
                     sum(1 for _, s, _ in d2 if s == 304), f"{second.seconds:.2f} s",
                     f"{1000 * sum(second.meeting_seconds) / len(second.meeting_seconds):.0f} ms"])

        # killed half-way (in the pause before a request), then resumed
        out2 = tmp / "papers-killed"
        calls: list[float] = []
        half = first.requests // 2

        def killer(_s: float) -> None:
            calls.append(_s)
            if len(calls) == half:
                raise Killed()

        n0 = len(site.log)
        try:
            fetch(site, out2, Politeness(delay=1.0, timeout=5, retries=2, backoff=0, max_wait=0), sleep=killer)
        except Killed:
            pass
        before = sum(1 for _, s, _ in doc_log(site.log[n0:]) if s == 200)
        n_kill = len(site.log)
        resumed = fetch(site, out2)
        again = sum(1 for _, s, _ in doc_log(site.log[n_kill:]) if s == 200)
        # the copies share URLs, so count downloads: killed + resumed against one whole first fetch
        refetched = before + again - sum(1 for _, s, _ in d1 if s == 200)
        # what a real first fetch costs at the default politeness (1 s between requests)
        polite_per_meeting = (first.requests - 1) * 1.0 / max(1, first.meetings)

        # index the fetched papers; check every passage's page link with pypdf
        units = [(p, out) for p in sorted(out.glob("*/*")) if any(p.glob("*.pdf"))]
        t = time.perf_counter()
        rep = update_index(tmp / "ix", units, HashEmbedder(), restricted=restricted_documents)
        t_index = time.perf_counter() - t
        index = Index.open(tmp / "ix", embedder=HashEmbedder())
        ok = bad = later = linked = 0
        texts = []
        for (cid,) in index.query("SELECT id FROM chunks"):
            r = result_by_chunk_id(index, cid).to_dict()
            src = r["source"]
            texts.append((r["committee"], r["meeting_date"], words(r["text"])))
            if not src["url"] or "#page=" not in (src["page_url"] or ""):
                bad += 1
                continue
            linked += 1
            n = int(src["page_url"].rsplit("=", 1)[1])
            page = PdfReader(out / src["path"]).pages[n - 1].extract_text()
            if words(r["text"])[:80] in words(page):
                ok += 1
                later += n > 1
            else:
                bad += 1
        index.close()
    finally:
        server.clear()
        server.stop()

    body = [
        f"Stand-in site: {args.meetings} copies of the richest meeting plus 3 others "
        f"({first.meetings} meetings fetched, {first.committees} committees), served on localhost by "
        "pytest-httpserver; delay 0 between requests (the default is 1 s; see below).", "",
        "## First and second fetch", "",
        *table(["run", "meetings", "requests", "bytes (all)", "documents downloaded", "document bytes",
                "304 Not Modified", "time", "per meeting"], rows), "",
        f"The second run's bytes are the web service's XML (committees, meetings, each meeting); "
        f"{second.downloaded} documents came again and {len(second.changed)} meeting folders changed.",
        f"Duplicates kept once on the first run: {first.duplicates} (the appendix listed twice, "
        "the supplement with the same bytes as a report). "
        f"Restricted, recorded and not fetched: {len(first.restricted)}. "
        f"Failed (each named on stderr): {len(first.failures)} ({'; '.join(sorted({p.reason for p in first.failures}))}).",
        "",
        f"At the default politeness (one request at a time, 1 s apart) a first fetch of this site costs "
        f"about {polite_per_meeting:.1f} s per meeting in waiting alone ({first.requests} requests).", "",
        "## Killed half-way, then resumed", "",
        *table(["measure", "value"], [
            ["killed before request", half],
            ["documents the killed run had downloaded", before],
            ["requests of the resumed run", resumed.requests],
            ["meetings the resumed run skipped (finished before the kill)", resumed.meetings_skipped],
            ["documents it skipped without a request (finished before the kill)", resumed.resumed],
            ["documents downloaded twice (killed + resumed run, against one whole fetch)", refetched],
            ["documents it downloaded (not reached before the kill)", resumed.downloaded],
        ]), "",
        "## Links back, on the papers fetched this way", "",
        *table(["measure", "value"], [
            ["meeting folders indexed", len(rep.added)],
            ["passages", ok + bad],
            ["passages linking to the council's document URL + #page=N", linked],
            ["... whose PDF page N holds the passage's start (pypdf)", ok],
            ["... of them on a page after the first", later],
            ["passages without a council link, or whose page does not hold them", bad],
            ["passages repeated within one meeting (the pack and its parts, listed twice...)",
             len(texts) - len(set(texts))],
            ["index time (hash embedder)", f"{t_index:.1f} s"],
        ]),
    ]
    path = write_result("fetch", "ModernGov fetch: requests, bytes, resumption and links back",
                        f".venv/bin/python benchmarks/fetch.py --meetings {args.meetings}", body, started=started)
    print(path.read_text())


if __name__ == "__main__":
    main()
