"""Search over the generated ModernGov-style set: a record filed with a later meeting is cited
by the meeting it records and says whose papers carried it; no passage is shown twice."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.common.results import citation
from indexer.embed.hashing import HashEmbedder
from indexer.ingest.files import iter_input_files
from indexer.ingest.folders import input_units
from indexer.retrieve.search import search
from indexer.store.index import Index, update_index


@pytest.fixture(scope="module")
def index(moderngov_small, tmp_path_factory) -> Index:
    units = [(u, moderngov_small) for u in input_units(moderngov_small, iter_input_files([moderngov_small]))]
    idx_dir = tmp_path_factory.mktemp("mg-index")
    report = update_index(idx_dir, units, HashEmbedder())
    assert not report.errors, report.errors
    return Index.open(idx_dir, embedder=HashEmbedder())


def test_a_panels_minutes_are_cited_by_the_panel_and_the_papers_that_carried_them(index):
    results = search(index, "foster carer recruitment campaign fostering households", k=10)
    lacp = next(r for r in results if r.meeting_date.isoformat() == "2024-10-29")
    assert lacp.citation.startswith("Looked After Children Panel, 29 October 2024, minute 4: Foster carer recruitment")
    assert lacp.citation.endswith("in the papers for County Council, 27 February 2025)")
    assert lacp.to_dict()["source"]["published_for"] == "2025-02-27"


def test_the_meetings_own_papers_carry_no_such_note(index):
    results = search(index, "band D council tax 2025/26", k=5)
    own = next(r for r in results if r.meeting_date.isoformat() == "2025-02-27")
    assert own.committee == "County Council" and "in the papers for" not in own.citation


def test_no_passage_is_shown_twice(index):
    for q in ("council tax base band D equivalent properties", "EqIA assisted collection households",
              "budget amendment recycling centre"):
        results = search(index, q, k=10)
        keys = [(" ".join(r.text.split()), r.meeting_date) for r in results]
        assert len(keys) == len(set(keys)), q


def test_citation_wording():
    got = citation("Corporate Parenting Panel", date(2024, 10, 29), "minute", "4", "Fostering", 15, 16,
                   ("County Council", date(2025, 3, 13)))
    assert got == ("Corporate Parenting Panel, 29 October 2024, minute 4: Fostering (pages 15–16, "
                   "in the papers for County Council, 13 March 2025)")
    assert citation("Cabinet", date(2025, 3, 13), "agenda", "7", "Budget") == "Cabinet, 13 March 2025, item 7: Budget"
