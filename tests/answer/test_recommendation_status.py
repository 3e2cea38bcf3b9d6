"""A recommendation's status agrees with the timeline shown for it, over every record of the corpus.

The list page and the JSON list used to call a record "discussed" (the later discussion counted)
while listing none of that discussion, so the record read as "discussed, 0 follow-ups".
"""

from __future__ import annotations

import pytest

from indexer.answer.recommendations import find_recommendations, overdue_since, recommendation, timeline_status

FOLLOW_UP_OF = {"responded": {"response"}, "scheduled": {"scheduled"},
                "discussed": {"discussed", "cross_reference"}, "outstanding": {"response"}}


@pytest.mark.parametrize("member", [False, True])
def test_every_status_matches_its_timeline(api_index, member):
    recs = find_recommendations(api_index, "", include_restricted=member, limit=10_000)
    assert len(recs) >= 30  # every RESOLVED point of the five packs
    for listed in recs:
        page = recommendation(api_index, listed["id"], include_restricted=member)
        for rec in (listed, page):
            kinds = {e["kind"] for e in rec["timeline"][1:]}
            assert rec["status"] == timeline_status(rec["timeline"]), rec["id"]
            assert len(rec["timeline"]) == len(rec["follow_ups"]) + 1
            if rec["status"] == "no trace found":
                assert not kinds, rec["id"]
            else:
                assert kinds & FOLLOW_UP_OF[rec["status"]], (rec["id"], rec["status"], kinds)
        assert listed["status"] == page["status"], listed["id"]


def _rec(status: str, *fus: tuple[str, str, str | None]) -> dict:
    return {"status": status, "follow_ups": [{"kind": k, "meeting_date": d, "planned_date": p} for k, d, p in fus]}


def test_overdue_when_the_promised_date_passed_with_nothing_after_it():
    plan = ("scheduled", "2020-01-09", "2020-04-02")
    assert overdue_since(_rec("scheduled", plan), "2021-03-11") == "2020-04-02"
    assert overdue_since(_rec("scheduled", plan), "2020-03-01") is None  # not due yet at the latest meeting
    assert overdue_since(_rec("scheduled", plan, ("discussed", "2020-06-01", None)), "2021-03-11") is None
    assert overdue_since(_rec("scheduled", plan, ("scheduled", "2020-03-01", "2021-06-01")), "2021-03-11") is None
    assert overdue_since(_rec("scheduled", ("scheduled", "2020-01-09", None)), "2021-03-11") is None  # no date
    assert overdue_since(_rec("responded", plan), "2021-03-11") is None
