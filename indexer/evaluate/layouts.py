"""Retrieval on other paper layouts: files read and refused, hit@5 and MRR@10 with the right date.

A layout is a set of papers laid out as some council publishes them (the Coventry text packs,
the Limerick documents, the generated ModernGov-style PDFs) with questions written on it. Each
is indexed as ``council index`` would (:func:`layout_units`), searched with the default
configuration, and scored with :mod:`indexer.evaluate.metrics`. The spec (``eval/layouts/
layouts.json``) lists, per layout, a name, the paths to index (``{generated}`` is the tree
``eval/moderngov/generate.py`` writes under the work directory), and the question file.

Run on its own (``python -m indexer.evaluate.layouts SPEC OUT.json``) it writes the figures as
JSON; ``council eval --layouts SPEC`` adds them to ``eval/results.md`` beside the figures of an
earlier run (``results-before.json`` next to the spec), so a change of reader shows its effect.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from indexer.common.errors import ParseError
from indexer.common.results import Filters
from indexer.embed.base import Embedder
from indexer.embed.embedder import get_embedder
from indexer.evaluate import metrics as ev
from indexer.ingest.files import iter_input_files
from indexer.ingest.folders import input_units
from indexer.retrieve.search import RetrievalConfig, search
from indexer.store.index import Index, update_index
from indexer.structure.reader import parse_path

GENERATED = "{generated}"
_COPY = re.compile(r"same content as|same bytes as|URL-encoded name of|its pages are in")


def _generated(work_dir: Path, repo: Path) -> Path:
    """The generated ModernGov-style tree under ``work_dir`` (written once; the script is deterministic)."""
    out = work_dir / "moderngov"
    script = repo / "eval" / "moderngov" / "generate.py"
    stamp = out / ".generated"
    mark = str(os.path.getmtime(script)) + "".join(
        str(os.path.getmtime(f)) for f in sorted((script.parent / "meetings").glob("*.txt")))
    if not (stamp.is_file() and stamp.read_text() == mark):
        subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True)
        stamp.write_text(mark)
    return out


def layout_units(paths: list[Path]) -> tuple[list[tuple[Path, Path]], list[Path], Path]:
    """(unit, root) pairs as `council index PATHS` makes them, every paper file, and the root
    that stored paths are relative to (the paths' common folder)."""
    root = Path(os.path.commonpath([str(p.resolve()) for p in paths]))
    if root.is_file() or root in [p.resolve() for p in paths if p.is_file()]:
        root = root.parent
    units, files = [], []
    for top in paths:
        found = iter_input_files([top])
        files += found
        units += [(u, root) for u in input_units(top, found)]
    return units, files, root


def _rel(p: Path, root: Path) -> str:
    try:
        return str(p.resolve().relative_to(root))
    except ValueError:
        return str(p)


def run_layout(name: str, paths: list[Path], questions: Path, work_dir: Path, embedder: Embedder) -> dict:
    """Index one layout and score its questions (see the module docstring)."""
    units, files, root = layout_units(paths)
    idx_dir = work_dir / f"layout-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}-{embedder.model_id}"
    report = update_index(idx_dir, units, embedder, max_words=180, overlap_words=20)
    index = Index.open(idx_dir, embedder=embedder)
    sources = index.file_texts()
    read = {p for p in sources}
    notes = [(str(e.path), e.reason) for e in report.errors] + [(w, "") for w in _warnings(units)]
    copies, refused = [], []
    for f in files:
        rel = _rel(f, root)
        why = next((f"{w} {r}".strip() for w, r in notes if w.startswith(rel) or w.startswith(f"{rel}:")), "")
        if _COPY.search(why):
            copies.append((rel, why))  # read once, from the other copy
        elif rel not in read:
            why = why or next((f"{w} {r}".strip() for w, r in notes if f.name in w), "")
            refused.append((rel, why))
    cfg = RetrievalConfig()  # the default, which `council eval` shows is its best row
    qs = [q for q in ev.load_gold(questions) if q.answerable]
    cited: dict[str, list[str]] = {}

    def hits(text: str) -> list[ev.Hit]:
        results = search(index, text, ev.K, Filters(), cfg)
        cited[text] = [r.citation for r in results[:3]]
        out = []
        for r in results:
            ok = ev.check_citation(sources[r.path], r.span, r.text, r.meeting_date.isoformat(), r.item_kind,
                                   r.item_number)
            out.append(ev.Hit(r.id, r.text, r.meeting_date.isoformat(), r.score, ok))
        return out

    m, per_q = ev.evaluate(qs, hits)
    repeated = sum(len(h) - len({ev.norm(x.text) + x.meeting_date for x in h}) for h in per_q.values())
    index.close()
    return {"name": name, "files": len(files), "read": len(files) - len(copies) - len(refused),
            "copies": len(copies), "refused": len(refused), "refused_files": refused[:20],
            "questions": len(qs), "metrics": m, "repeated_in_top10": repeated,
            "first_hit_rank": {q.id: _first_hit(q, per_q.get(q.id, [])) for q in qs},
            "citations": {q.id: cited.get(q.question, []) for q in qs}}


def _warnings(units: list[tuple[Path, Path]]) -> list[str]:
    """What the reader says of each unit (an unchanged unit is not re-read by the index)."""
    out = []
    for unit, root in units:
        try:
            out += parse_path(unit, root=root).warnings
        except ParseError:
            pass  # update_index reports it
    return out


def _first_hit(q: ev.Question, hits: list[ev.Hit]) -> int | None:
    return next((k for k, h in enumerate(hits, start=1) if ev.relevant_pairs(q, h)), None)


def run_layouts(spec: Path, work_dir: Path, embedder: Embedder) -> list[dict]:
    """Every layout of ``spec`` whose paths exist (others are listed as skipped)."""
    raw = json.loads(spec.read_text())
    repo = spec.resolve().parents[2] if spec.resolve().parent.name == "layouts" else Path.cwd()
    out = []
    for lay in raw["layouts"]:
        paths = [Path(p) if p != GENERATED else _generated(work_dir, repo) for p in lay["paths"]]
        paths = [p if p.is_absolute() else repo / p for p in paths]
        if not all(p.exists() for p in paths):
            out.append({"name": lay["name"], "skipped": "papers not on this machine: " + ", ".join(
                str(p) for p in paths if not p.exists())})
            continue
        out.append(run_layout(lay["name"], paths, spec.parent / lay["questions"], work_dir, embedder))
    return out


def render_layouts(after: list[dict], before: list[dict] | None, spec: Path) -> str:
    """The "Layouts" section of results.md: per layout, before (if measured) and now."""
    prior = {b["name"]: b for b in before or [] if "skipped" not in b}
    lines = ["## Layouts: other councils' papers", "",
             f"Questions in `{spec.parent.as_posix()}/` (see its README: written before the search was run, held "
             "out of every choice). Default configuration; a hit needs the judged phrase AND the judged "
             "meeting date. \"before\" is the reader as it was on main before issue 17, measured with this "
             "same harness.", "",
             "| layout | run | files | read | copies read once | refused | questions | hit@1 | hit@5 | mrr@10 "
             "| same passage twice in top 10 |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for lay in after:
        if "skipped" in lay:
            lines.append(f"| {lay['name']} | skipped: {lay['skipped']} | | | | | | | | | |")
            continue
        for label, r in (("before", prior.get(lay["name"])), ("after", lay)):
            if r is None:
                continue
            m = r["metrics"]
            lines.append(f"| {lay['name']} | {label} | {r['files']} | {r['read']} | {r['copies']} | {r['refused']} "
                         f"| {r['questions']} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | {m['mrr@10']:.3f} "
                         f"| {r.get('repeated_in_top10', 0)} |")
    return "\n".join(lines) + "\n"


def render_citations(after: list[dict], before: list[dict] | None, n: int = 10) -> str:
    """The first ``n`` questions whose top citation changed: before and after."""
    prior = {b["name"]: b for b in before or [] if "skipped" not in b}
    rows = []
    for lay in after:
        b = prior.get(lay["name"])
        if "skipped" in lay or b is None:
            continue
        for qid, now in lay["citations"].items():
            then = b["citations"].get(qid, [])
            if now[:1] != then[:1]:
                rows.append((lay["name"], qid, then[0] if then else "(none)", now[0] if now else "(none)"))
    if not rows:
        return ""
    lines = ["", f"Top citation before and after, for the first {min(n, len(rows))} of the {len(rows)} questions "
             "whose top result changed:", "", "| layout | question | before | after |", "|---|---|---|---|"]
    lines += [f"| {a} | {q} | {b} | {c} |" for a, q, b, c in rows[:n]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--work-dir", type=Path, default=Path("data/eval"))
    ap.add_argument("--model", default="minilm")
    args = ap.parse_args(argv)
    got = run_layouts(args.spec, args.work_dir, get_embedder(args.model))
    args.out.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    for lay in got:
        print(lay["name"], lay.get("skipped") or {k: round(lay["metrics"][k], 3) for k in ("hit@5", "mrr@10")})
    return 0


if __name__ == "__main__":
    sys.exit(main())
