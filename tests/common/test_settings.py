"""Every setting is documented in the README, and settings come from the environment when built."""

from pathlib import Path

from indexer.common.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_setting_is_documented_in_the_readme():
    missing = [n for n in Settings.model_fields if f"`COUNCIL_{n.upper()}`" not in README]
    assert not missing, f"add these to the README's settings table: {missing}"


def test_every_setting_has_a_description():
    assert all(f.description for f in Settings.model_fields.values())


def test_settings_read_the_environment_when_built(monkeypatch, tmp_path):
    monkeypatch.setenv("COUNCIL_INDEX_DIR", str(tmp_path))
    monkeypatch.setenv("COUNCIL_CHUNK_WORDS", "120")
    s = Settings()
    assert s.index_dir == tmp_path and s.chunk_words == 120


def test_retrieval_signals_come_from_the_environment(monkeypatch):
    import pytest
    from pydantic import ValidationError

    from indexer.retrieve.search import RetrievalConfig

    monkeypatch.setenv("COUNCIL_ACRONYMS", "2")
    monkeypatch.setenv("COUNCIL_DECISION_BOOST", "0")
    monkeypatch.setenv("COUNCIL_ATTENDANCE_BOOST", "0.2")
    cfg = RetrievalConfig.from_settings(Settings())
    assert (cfg.acronyms, cfg.decision_boost, cfg.attendance_boost, cfg.recency_boost) == (2, 0.0, 0.2, 0.4)
    assert RetrievalConfig.from_settings(Settings.model_construct(**{
        k: f.default for k, f in Settings.model_fields.items()})) == RetrievalConfig()  # defaults agree
    monkeypatch.setenv("COUNCIL_ACRONYMS", "3")
    with pytest.raises(ValidationError, match="acronyms"):
        Settings()
