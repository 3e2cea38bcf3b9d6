"""Benchmark: are papers fetched from a ModernGov site searched as well as the same papers
placed in folders by hand?

The five Coventry packs in corpus/ are printed to PDF (one page per 44 lines, "Page N"
footers), then indexed two ways:

- **folders**: the PDFs as a user would put them in a folder, read by `council index`;
- **fetched**: the same PDFs published on the stand-in ModernGov site (tests/ingest/standin.py:
  each meeting's pack as its document, its agenda items listed as the front sheet lists them),
  fetched with `fetch_site` into meeting folders with meeting.json, then indexed.

Both are scored on the held-out question sets (eval/heldout*.jsonl, written before the search
was run; nothing was tuned on them here) and the gold set, with the default retrieval settings,
and every fetched result's source.url / page_url is checked (the PDF page holds the passage).

Run:  .venv/bin/python benchmarks/fetch_parity.py [--model hash-32|all-MiniLM-L6-v2]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pypdf import PdfReader  # noqa: E402
from pytest_httpserver import HTTPServer  # noqa: E402

from benchmarks.common import start_clock, table, write_result  # noqa: E402
from indexer.embed.embedder import get_embedder  # noqa: E402
from indexer.evaluate import metrics as ev  # noqa: E402
from indexer.evaluate.runner import HELD_OUT, index_hits  # noqa: E402
from indexer.ingest.moderngov import Politeness, SiteClient, fetch_site  # noqa: E402
from indexer.retrieve.search import RetrievalConfig, search  # noqa: E402
from indexer.store.index import Index, update_index  # noqa: E402
from indexer.structure.privacy import restricted_documents  # noqa: E402
from indexer.structure.reader import parse_path  # noqa: E402
from tests.ingest.standin import Doc, Meeting, Site, serve  # noqa: E402
from tests.parse.test_reader_pdf import paginate  # noqa: E402
from tests.pdfgen import make_pdf  # noqa: E402


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def build(tmp: Path) -> tuple[Path, Site]:
    folders = tmp / "folders"
    folders.mkdir()
    site = Site(tmp / "site")
    titles: dict[str, int] = {}
    for n, txt in enumerate(sorted((REPO / "corpus").glob("*.txt")), start=1):
        pdf = make_pdf(folders / (txt.stem + ".pdf"), paginate(txt.read_text(encoding="utf-8").replace("**", "")))
        ps = parse_path(pdf, root=folders)
        front = next((d for d in ps.documents if d.doc_type == "agenda"), None)  # a minutes-only file has none
        m = next(m for m in ps.meetings if m.id == front.published_for) if front else ps.meetings[-1]
        cid = titles.setdefault(m.committee, 10 + len(titles))
        site.docs[n] = Doc(n, f"Agenda reports pack {m.date:%d/%m/%Y}", [], body=pdf.read_bytes())
        items = [(i.number, i.title, []) for i in ps.items if i.kind == "agenda" and i.meeting_id == m.id and i.number]
        site.meetings.append(Meeting(100 + n, cid, m.date, items, documents=[n]))
    site.committees = [(cid, title, False) for title, cid in titles.items()]
    return folders, site


def score(index: Index, sets: list[tuple[str, list]]) -> list[list]:
    sources = index.file_texts()
    cfg = RetrievalConfig()
    rows = []
    for name, qs in sets:
        m, _ = ev.evaluate(qs, lambda q: index_hits(index, sources, cfg, q))
        rows.append([name, int(m["n"]), f"{m['hit@1']:.3f}", f"{m['hit@5']:.3f}", f"{m['mrr@10']:.3f}",
                     f"{m['recall@10']:.3f}", f"{m['citation_acc']:.3f}"])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="hash-32")
    args = ap.parse_args()
    started = start_clock()
    tmp = Path(tempfile.mkdtemp(prefix="fetch-parity-"))
    (tmp / "site").mkdir()
    folders, site = build(tmp)
    server = HTTPServer()
    server.start()
    try:
        serve(server, site)
        with SiteClient(f"http://localhost:{site.port}/", Politeness(delay=0, backoff=0, max_wait=0.01)) as c:
            report = fetch_site(c, tmp / "papers")
    finally:
        server.clear()
        server.stop()
    emb = get_embedder(args.model)
    update_index(tmp / "ix-folders", [(p, folders) for p in sorted(folders.glob("*.pdf"))], emb,
                 restricted=restricted_documents)
    fetched_units = [(p, tmp / "papers") for p in sorted((tmp / "papers").glob("*/*")) if any(p.glob("*.pdf"))]
    update_index(tmp / "ix-fetched", fetched_units, emb, restricted=restricted_documents)
    sets = [(f, ev.load_gold(REPO / "eval" / f)) for f, _ in HELD_OUT] + [("gold.jsonl", ev.load_gold(REPO / "eval" / "gold.jsonl"))]
    head = ["question set", "answerable", "hit@1", "hit@5", "MRR@10", "recall@10", "citation acc."]
    a = Index.open(tmp / "ix-folders", embedder=emb)
    b = Index.open(tmp / "ix-fetched", embedder=emb)
    rows_a, rows_b = score(a, sets), score(b, sets)
    # links back: every fetched result of every question
    checked = ok = 0
    for _, qs in sets:
        for q in qs:
            for r in search(b, q.question, 5):
                d = r.to_dict()["source"]
                checked += 1
                n = int(d["page_url"].rsplit("=", 1)[1]) if d["url"] and "#page=" in (d["page_url"] or "") else 0
                if n and words(r.text)[:80] in words(PdfReader(tmp / "papers" / d["path"]).pages[n - 1].extract_text()):
                    ok += 1
    counts = (a.counts(True), b.counts(True))
    a.close()
    b.close()
    body = [
        f"Embedder: `{args.model}`. The five Coventry packs printed to PDF; {report.meetings} meetings fetched "
        f"from the stand-in site in {report.requests} requests ({report.bytes / 1024:.0f} KiB).", "",
        "## Indexed from folders", "", *table(head, rows_a), "",
        "## Fetched from the ModernGov stand-in (meeting.json items)", "", *table(head, rows_b), "",
        *table(["index", "meetings", "documents", "items", "passages"],
               [["folders", *counts[0].values()], ["fetched", *counts[1].values()]]), "",
        f"Links back: {ok} of {checked} top-5 results of the fetched index (every question of every set) link "
        "to the council's document URL with #page=N, and that PDF page holds the passage's start (pypdf).",
    ]
    path = write_result(f"fetch_parity-{args.model}", "Fetched papers against the same papers in folders",
                        f".venv/bin/python benchmarks/fetch_parity.py --model {args.model}", body, started=started)
    print(path.read_text())


if __name__ == "__main__":
    main()
