"""The papers' abbreviations (indexer/acronyms.py): read from the text, matched in queries."""

from __future__ import annotations

import pytest

from indexer.common.acronyms import Aliases, Glossary, definitions
from indexer.store.lexical import LexicalIndex
from indexer.common.text import content_words

TEXT = """The Department for Education (DfE) wrote to the Council.
We have 58 Newly Qualified Social Workers (NQSWs) in the Academy.
Young people Not in Education, Employment or Training (NEET) fell.
The Local Safeguarding Children Board (LSCB) met. Support for Special Educational Needs and
Disabilities (SEND) grew. We will send the report. The meeting (ABC) was short.
"""


def test_definitions_need_initials_that_spell_the_abbreviation():
    found = dict(definitions(TEXT))
    assert found["DfE"] == "Department for Education"
    assert found["NQSW"] == "Newly Qualified Social Workers"  # the plural "(NQSWs)" defines NQSW
    assert found["NEET"] == "Not in Education, Employment or Training".replace(",", "")
    assert found["LSCB"] == "Local Safeguarding Children Board"
    assert found["SEND"] == "Special Educational Needs and Disabilities"
    assert "ABC" not in found  # "The meeting" does not spell ABC


def test_the_most_used_long_form_wins_and_ordinary_words_are_marked_common():
    g = Glossary.build([TEXT, "the Department for Education (DfE)", "Department of Education (DfE)"])
    assert g.long_forms["DfE"] == "Department for Education"
    assert "SEND" in g.common and "DfE" not in g.common  # "send the report"


@pytest.mark.parametrize("query, expected", [
    ("when did the DfE lift its intervention", ["Department for Education"]),
    ("when did the dfe lift its intervention", ["Department for Education"]),  # typed in lower case
    ("how many NQSWs started", ["Newly Qualified Social Workers"]),
    ("newly qualified social worker numbers", ["NQSW"]),  # the long form adds the abbreviation
    ("SEND provision", ["Special Educational Needs and Disabilities"]),
    ("did they send the report", []),  # an ordinary word unless written in capitals
    ("DfE and the Department for Education", []),  # both forms already there
    ("budget for libraries", []),
])
def test_a_query_gains_the_other_form(query, expected):
    g = Glossary.build([TEXT])
    assert g.expand(query) == expected


def test_aliases_let_either_form_stand_for_the_other():
    g = Glossary.build([TEXT])
    al = Aliases(g.named("how many NQSWs started at the academy"))
    have = al.extend(set(content_words("58 Newly Qualified Social Workers commencing the Academy")))
    assert set(content_words("NQSW")) <= have
    have = Aliases(g.named("newly qualified social workers")).extend(set(content_words("58 NQSWs")))
    assert set(content_words("newly qualified social workers")) <= have
    assert not Aliases() and Aliases().extend({"x"}) == {"x"}


def test_the_glossary_is_saved_with_the_lexical_index(tmp_path):
    lex = LexicalIndex.build([(1, TEXT, "Report"), (2, "Other text about libraries.", "Libraries")])
    lex.save(tmp_path / "lex")
    again = LexicalIndex.load(tmp_path / "lex")
    assert again.glossary.long_forms == lex.glossary.long_forms and "DfE" in again.glossary.long_forms
    assert again.glossary.common == lex.glossary.common
