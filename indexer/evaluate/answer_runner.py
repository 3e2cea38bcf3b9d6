"""Running the answer evaluation: one index per layout, every question asked, the tables written.

``eval/answer_corpora.json`` says where each layout's papers are (paths relative to the working
directory) and, for generated sets, what makes them::

    {"<layout>": {"papers": "<folder>", "note": "...", "generate": "<script>"}}

A layout whose folder is missing is made first when the corpora file names the script that
makes it (``python <script> <folder>``, as the generated ModernGov-style PDFs are); otherwise, or
when that fails, it is reported as not run, so a question set can be committed before its papers
exist. Each layout is indexed as ``council index`` would (incrementally, under
``<work dir>/answers-<layout>-<model>``), and the files refused by the reader are counted.

Results are kept per run label ("before", "after", ...) in ``eval/answers_results.json``; the
section of ``eval/results.md`` between the answer-evaluation markers shows every run kept, so
a change is read against the run before it. The retrieval tables above it are left as they are.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from indexer.common.errors import ParseError
from indexer.embed.base import Embedder
from indexer.evaluate import answers as av
from indexer.ingest.files import iter_input_files
from indexer.ingest.folders import input_units
from indexer.store.index import Index, update_index
from indexer.structure.privacy import restricted_documents

log = logging.getLogger(__name__)

RESULTS_JSON = "answers_results.json"


def load_corpora(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: cannot read the answer corpora ({e})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) and "papers" in v for v in data.values()):
        raise ValueError(f"{path}: expected {{layout: {{\"papers\": folder, ...}}}}")
    return data


def generate_papers(script: Path, top: Path) -> str:
    """Run ``python script top`` to make a generated layout's papers; "" on success, else why not."""
    if not script.is_file():
        return f"papers not found at {top} and the script that makes them ({script}) is missing"
    log.info("making %s with %s", top, script)
    try:
        done = subprocess.run([sys.executable, str(script), str(top)], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{script} could not make {top} ({e})"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"{script} failed making {top} (exit {done.returncode}: {tail[0]})"
    return ""


def build_indexes(layouts: set[str], corpora: dict[str, dict], work_dir: Path, embedder: Embedder,
                  settings) -> tuple[dict[str, Index], dict[str, dict], dict[str, str]]:
    """(index per layout, what was read per layout, layouts not run with the reason)."""
    indexes: dict[str, Index] = {}
    read: dict[str, dict] = {}
    not_run: dict[str, str] = {}
    for layout in sorted(layouts):
        spec = corpora.get(layout)
        if spec is None:
            not_run[layout] = "no entry in the corpora file"
            continue
        top = Path(spec["papers"])
        if not top.is_dir() and spec.get("generate"):
            made = generate_papers(Path(spec["generate"]), top)
            if made:
                not_run[layout] = made
                continue
        if not top.is_dir():
            not_run[layout] = f"papers not found at {top}" + (f"; made by {spec['generate']}" if spec.get("generate") else "")
            continue
        try:
            files = iter_input_files([top])
        except ParseError as e:
            not_run[layout] = str(e)
            continue
        units = [(u, top) for u in input_units(top, files)]
        idx_dir = work_dir / f"answers-{layout}-{embedder.model_id}"
        report = update_index(idx_dir, units, embedder, max_words=getattr(settings, "chunk_words", 180),
                              overlap_words=getattr(settings, "chunk_overlap_words", 20),
                              restricted=restricted_documents)
        indexes[layout] = Index.open(idx_dir, embedder=embedder)
        refused = len(report.errors)
        read[layout] = {"papers": str(top), "files": len(files), "refused": refused, "read": len(files) - refused,
                        "meetings": len(indexes[layout].meetings(include_restricted=True)),
                        "note": spec.get("note", "")}
    return indexes, read, not_run


def run_answer_eval(question_files: list[Path], corpora_file: Path, out_dir: Path, work_dir: Path,
                    embedder: Embedder, settings, label: str = "current") -> str:
    """Ask every question, keep the run under ``label`` and rewrite the answer section of results.md."""
    t0 = time.perf_counter()
    questions = av.load_questions([p for p in question_files if p.exists()])
    corpora = load_corpora(corpora_file)
    indexes, read, not_run = build_indexes({q.layout for q in questions} | set(corpora), corpora, work_dir,
                                           embedder, settings)
    rows = av.run(indexes, questions, settings)
    results_path = out_dir / RESULTS_JSON
    kept = json.loads(results_path.read_text()) if results_path.exists() else {"runs": {}}
    kept["runs"][label] = {"date": date.today().isoformat(), "model": embedder.model_id,
                           "seconds": round(time.perf_counter() - t0, 1), "corpora": read, "not_run": not_run,
                           "summary": av.summary(rows), "questions": av.per_question(rows)}
    results_path.write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n")
    section = render_runs(kept, questions)
    md_path = out_dir / "results.md"
    notes = out_dir / "notes.md"  # the hand-written reading of the retrieval tables closes the file
    tail = notes.read_text() if notes.is_file() else ""
    md_path.write_text(av.splice(md_path.read_text() if md_path.exists() else "", section, tail))
    return section


def render_runs(kept: dict, questions: list[av.AnswerQuestion]) -> str:
    """The answer section of results.md: every kept run, held-out part first."""
    n_an = sum(q.answerable for q in questions)
    n_held = sum(q.split == "heldout" for q in questions)
    lines = [av.START, "", "# Answer evaluation (`council eval --answers`)", "",
             f"Questions: `eval/answers.jsonl`, {len(questions)} ({n_an} answerable, {len(questions) - n_an} "
             f"unanswerable), written 2026-12-07 before the answers were read. Held out: {n_held}, the third, sixth, "
             "ninth … question of each set (layout × answerable) in the order written; no rule or threshold was "
             "chosen on them. A fact counts only when the sentence stating it cites a passage of the right meeting.",
             ""]
    for label, run in kept["runs"].items():
        corp = "; ".join(f"`{lay}`: {c['read']} of {c['files']} files read ({c['refused']} refused by the reader), "
                         f"{c['meetings']} meetings" for lay, c in run["corpora"].items())
        lines += [f"- Run **{label}** ({run['date']}, {run['model']}, {run['seconds']:.0f} s): {corp}."
                  + "".join(f" Layout `{lay}` not run: {why}." for lay, why in run["not_run"].items())]
    for split, title in (("heldout", "Held-out part"), ("tune", "Tuning part")):
        lines += ["", f"## {title}"]
        for label, run in kept["runs"].items():
            lines += ["", f"### {label}", "", av.table(run["summary"][split])]
    lines += ["", av.END]
    return "\n".join(lines) + "\n"
