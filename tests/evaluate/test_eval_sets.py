"""The question sets in eval/ stay valid against corpus/: every judged phrase is verbatim in the
passage it names and carries the date it is judged with (eval/check_gold.py, stdlib only)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SETS = sorted(p.name for p in (REPO / "eval").glob("*.jsonl") if not p.name.startswith("answers"))  # retrieval sets


def _check_gold():
    spec = importlib.util.spec_from_file_location("check_gold", REPO / "eval" / "check_gold.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_sets_are_there():
    assert {"gold.jsonl", "heldout.jsonl", "heldout2.jsonl", "heldout3.jsonl", "heldout4.jsonl",
            "heldout5.jsonl"} <= set(SETS)


@pytest.mark.parametrize("name", SETS)
def test_question_set_is_valid(name, capsys):
    rc = _check_gold().main(["--gold", str(REPO / "eval" / name), "--corpus", str(REPO / "corpus"), "-q"])
    out = capsys.readouterr()
    assert rc == 0, out.out + out.err


def test_results_carry_the_hand_written_notes():
    """`council eval` appends eval/notes.md (the reading of the tables) to eval/results.md; the
    committed results were written with the committed notes."""
    results = (REPO / "eval" / "results.md").read_text()
    notes = (REPO / "eval" / "notes.md").read_text()
    assert results.startswith("# Retrieval evaluation") and results.endswith("\n" + notes)
