"""The registry of ranking signals (indexer/retrieve/signals/) and the retrieval defaults."""

from __future__ import annotations

import dataclasses

from indexer.common.settings import Settings
from indexer.retrieve.config import RetrievalConfig
from indexer.retrieve.signals import FACTS, REGISTRY, TEXT, Query, active


def test_each_signal_has_a_weight_in_the_config_and_the_settings():
    fields = {f.name for f in dataclasses.fields(RetrievalConfig)}
    weights = [s.weight for s in REGISTRY]
    assert len(set(weights)) == len(weights)
    for s in REGISTRY:
        assert s.weight in fields and s.weight in Settings.model_fields
        assert s.reads in (FACTS, TEXT)


def test_config_defaults_are_the_settings_defaults_and_ignore_the_environment(monkeypatch):
    monkeypatch.setenv("COUNCIL_MINUTE_BOOST", "9")
    cfg = RetrievalConfig()
    for f in dataclasses.fields(RetrievalConfig):
        if f.name in Settings.model_fields:
            assert getattr(cfg, f.name) == Settings.model_fields[f.name].default, f.name


def test_a_signal_is_active_only_when_weighted_and_asked_for():
    names = lambda q, cfg: [type(s).__name__ for s in active(Query(q, cfg), FACTS)]  # noqa: E731
    cfg = RetrievalConfig()
    assert names("minute 25/19 in November 2019", cfg) == ["MinuteNumber", "MeetingPeriod"]
    assert names("who attended the latest meeting", cfg) == ["Recency", "Attendance"]
    assert names("school places", cfg) == []
    assert names("school places", cfg.but(title_boost=0.2)) == ["TitleOverlap"]
    assert names("minute 25", cfg.but(minute_boost=0)) == []
