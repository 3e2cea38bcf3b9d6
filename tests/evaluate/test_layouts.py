"""indexer.evaluate.layouts: a layout is indexed as `council index` would, scored, and reported."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.embed.hashing import HashEmbedder
from indexer.evaluate.layouts import layout_units, render_citations, render_layouts, run_layout

REPO = Path(__file__).resolve().parents[2]


def test_a_layout_is_read_scored_and_reported(moderngov_small, tmp_path):
    got = run_layout("generated", [moderngov_small], REPO / "eval" / "layouts" / "generated.jsonl", tmp_path,
                     HashEmbedder())
    assert (got["files"], got["refused"]) == (got["read"] + got["copies"], 0)
    assert got["copies"] >= 4  # a frontsheet and a report the pack repeats, a "%20" twin, a "(1)" copy
    assert got["questions"] == 36 and got["repeated_in_top10"] == 0
    assert 0 < got["metrics"]["hit@5"] <= 1 and set(got["citations"]) == set(got["first_hit_rank"])
    before = json.loads(json.dumps(got))
    before["citations"] = {q: ["something else"] for q in got["citations"]}
    md = render_layouts([got], [before], REPO / "eval" / "layouts" / "layouts.json")
    assert md.count("| generated | ") == 2 and "| before |" in md and "| after |" in md
    cites = render_citations([got], [before])
    assert cites.count("something else") == 10


def test_units_are_those_council_index_makes(moderngov_small):
    units, files, root = layout_units([moderngov_small])
    assert root == moderngov_small.resolve()
    assert sorted(str(u.relative_to(moderngov_small)) for u, _ in units) == [
        "county_council/2025-02-27", "resources_and_performance_board/2025-01-16",
        "resources_and_performance_board/2025-02-13"]
    assert len(files) == 16  # the papers of three meetings; meeting.json is not a paper
