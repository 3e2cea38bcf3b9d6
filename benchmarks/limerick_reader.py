"""Benchmark: the reader over 3,000 real papers from Limerick City and County Council.

The papers are read in place from ../shared/limerick and never copied into the repository.
Layouts differ from Coventry's (notices of meeting instead of ModernGov front sheets,
"MINUTES OF PROCEEDINGS AT MEETING OF ... HELD IN ... ON ..." headings, OCR'd scans), so
this measures robustness and how much the reader recovers, not a gold standard:

- every file is parsed on its own, then every meeting folder as one unit (README.md is
  read as an ordinary file, not as metadata);
- an exception other than ParseError is a reader bug and must stay at zero;
- accuracy: a minutes file's name carries the date of the meeting it records
  ("Minutes - <meeting> - 5th December 2018.md"), an agenda's folder carries the date
  of its meeting (meetings/YYYY/MM/DD-<name>/); both are compared with what was read.

Run:  .venv/bin/python benchmarks/limerick_reader.py [--root DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import traceback
from collections import Counter
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer.common.dates import find_date  # noqa: E402
from indexer.common.errors import ParseError  # noqa: E402
from indexer.structure.reader import parse_path  # noqa: E402

DEFAULT_ROOT = REPO.parent / "shared" / "limerick" / "meetings"


def reason_kind(reason: str) -> str:
    """A ParseError reason without the file-specific details."""
    return re.sub(r"\(.*", "", reason).split(":")[0].strip()


def folder_date(path: Path) -> date | None:
    m = re.search(r"(\d{4})/(\d{2})/(\d{2})-[^/]+/[^/]+$", path.as_posix())
    return date(int(m[1]), int(m[2]), int(m[3])) if m else None


def name_date(path: Path) -> date | None:
    found = find_date(path.stem)
    return found[0] if found else None


def run(root: Path) -> dict:
    files = sorted(p for p in root.rglob("*.md") if p.name != "README.md")
    folders = sorted({p.parent for p in files})
    r: dict = {"files": len(files), "folders": len(folders), "errors": Counter(), "crashes": [],
               "meetings": set(), "minutes_files": 0, "minutes_dated": 0, "minutes_agree": 0,
               "minutes_unnamed": 0, "agenda_files": 0, "agenda_dated": 0, "agenda_agree": 0,
               "mismatches": [], "folder_errors": Counter(), "folder_crashes": [],
               "folder_meetings": set()}
    t0 = time.perf_counter()
    for f in files:
        is_minutes = "minutes" in f.name.lower()
        r["minutes_files" if is_minutes else "agenda_files"] += 1
        try:
            ps = parse_path(f)
        except ParseError as exc:
            r["errors"][reason_kind(exc.reason)] += 1
            continue
        except Exception:  # a reader bug: counted and shown, never hidden
            r["crashes"].append(f"{f.relative_to(root)}: {traceback.format_exc(limit=-1).strip().splitlines()[-1]}")
            continue
        r["meetings"].update(m.id for m in ps.meetings)
        dates = {m.id: m.date for m in ps.meetings}
        if is_minutes:
            got = [dates[d.meeting_id] for d in ps.documents if d.doc_type == "minutes"]
            expected = name_date(f)
            if got:
                r["minutes_dated"] += 1
                if expected is None:
                    r["minutes_unnamed"] += 1
                elif got[0] == expected:
                    r["minutes_agree"] += 1
                else:
                    r["mismatches"].append(f"{f.relative_to(root)}: read {got[0]}, name says {expected}")
        else:
            got = [dates[d.meeting_id] for d in ps.documents if d.doc_type == "agenda"]
            if got:
                r["agenda_dated"] += 1
                if got[0] == folder_date(f):
                    r["agenda_agree"] += 1
                else:
                    r["mismatches"].append(f"{f.relative_to(root)}: read {got[0]}, folder says {folder_date(f)}")
    r["file_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for folder in folders:
        try:
            ps = parse_path(folder)
            r["folder_meetings"].update(m.id for m in ps.meetings)
        except ParseError as exc:
            r["folder_errors"][reason_kind(exc.reason)] += 1
        except Exception:
            r["folder_crashes"].append(f"{folder.relative_to(root)}: {traceback.format_exc(limit=-1).strip().splitlines()[-1]}")
    r["folder_seconds"] = time.perf_counter() - t0
    return r


NOTES = [
    "## Reading these figures",
    "",
    "- A date is never guessed. Headings that print no year (\"ON THURSDAY 19th OCTOBER AT",
    "  3.00PM.\"), OCR that lost the day (\"1s™ February\"), scans whose text layer has no notice",
    "  and map or table attachments count as not recovered. A notice that prints no year gets",
    "  the year of the letter's own date only when the printed weekday confirms it.",
    "- Disagreements checked by hand are errors in the papers or their names, not misreadings:",
    "  minutes adopted in February 2020 headed \"TUESDAY, 14TH JANUARY, 2019\"; an agenda whose",
    "  OCR reads \"13” September\" for the 18th; file names with the wrong year; agendas of",
    "  adjourned meetings filed under the later meeting's folder.",
    "- Folder runs read README.md as an ordinary file: it names no meeting, so it becomes a",
    "  document of its own in a folder whose other files name one. A folder fails only when",
    "  none of its files names a meeting.",
    "",
]


def pct(n: int, d: int) -> str:
    return f"{n} of {d} ({100 * n / d:.1f}%)" if d else f"{n} of 0"


def report(r: dict, root: Path, command: str) -> str:
    ok = r["files"] - sum(r["errors"].values()) - len(r["crashes"])
    named = r["minutes_dated"] - r["minutes_unnamed"]
    lines = [
        "# Reader benchmark: Limerick City and County Council papers",
        "",
        f"Run on {date.today().isoformat()} with `{command}`",
        f"over `{root}` (read in place, not copied).",
        "",
        "## Each file on its own",
        "",
        "| measure | value |",
        "|---|---|",
        f"| files read (README.md excluded) | {r['files']} |",
        f"| parsed | {pct(ok, r['files'])} |",
        f"| ParseError | {sum(r['errors'].values())} |",
        f"| other exceptions (reader bugs) | {len(r['crashes'])} |",
        f"| distinct meetings recovered | {len(r['meetings'])} |",
        f"| minutes files with a recovered date | {pct(r['minutes_dated'], r['minutes_files'])} |",
        f"| ... whose date agrees with the file name | {pct(r['minutes_agree'], named)} |",
        f"| agenda and other files with a recovered meeting date | {pct(r['agenda_dated'], r['agenda_files'])} |",
        f"| ... whose date agrees with the folder date | {pct(r['agenda_agree'], r['agenda_dated'])} |",
        f"| time | {r['file_seconds']:.1f} s |",
        "",
        "ParseError reasons:",
        "",
        *[f"- {n} × {reason}" for reason, n in r["errors"].most_common()],
        "",
        "## Each meeting folder as one unit",
        "",
        "| measure | value |",
        "|---|---|",
        f"| folders | {r['folders']} |",
        f"| parsed | {pct(r['folders'] - sum(r['folder_errors'].values()) - len(r['folder_crashes']), r['folders'])} |",
        f"| ParseError | {sum(r['folder_errors'].values())} |",
        f"| other exceptions (reader bugs) | {len(r['folder_crashes'])} |",
        f"| distinct meetings recovered | {len(r['folder_meetings'])} |",
        f"| time | {r['folder_seconds']:.1f} s |",
        "",
    ]
    lines += NOTES
    if r["crashes"] or r["folder_crashes"]:
        lines += ["## Exceptions", "", *[f"- {c}" for c in (r["crashes"] + r["folder_crashes"])[:30]], ""]
    lines += ["## Disagreements (first 25)", "", *[f"- {m}" for m in r["mismatches"][:25]], ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "limerick.md")
    args = ap.parse_args()
    if not args.root.is_dir():
        print(f"error: {args.root} is not a directory", file=sys.stderr)
        return 2
    text = report(run(args.root), args.root, ".venv/bin/python benchmarks/limerick_reader.py")
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 1 if "## Exceptions" in text else 0


if __name__ == "__main__":
    sys.exit(main())
