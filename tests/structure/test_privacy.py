"""Restricted (Part B) papers: detected from the text or marked by a sidecar, never shown anonymously."""

from __future__ import annotations

import shutil
from pathlib import Path

from indexer.embed.hashing import HashEmbedder
from indexer.store.index import Index, update_index
from indexer.structure.privacy import has_notice, mark_restricted, private_spans, restricted_documents
from indexer.structure.reader import parse_path
from indexer.common.results import Filters
from indexer.retrieve.search import search

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
PACK = sorted(CORPUS.glob("*.txt"))[0]

EXEMPT = """Education and Children's Services Scrutiny Board (2)

Time and Date

10.00 am on Thursday, 6th February, 2020

Place

Committee Room 3 - Council House

Public Business

1. **Apologies and Substitutions**
2. **Fostering Fees** (Pages 3 - 6)

Briefing Note of the Director of Children's Services

Private Business

3. **Residential Placement Contract** (Pages 7 - 10)

Report of the Director of Children's Services



Coventry City Council

Briefing note

To: Education and Children's Services Scrutiny Board (2)

Subject: Fostering Fees

1 Purpose of the Note

1.1 The fostering allowance for carers rises by three per cent from April.



Coventry City Council

Briefing note

To: Education and Children's Services Scrutiny Board (2)

Subject: Residential Placement Contract

This report contains exempt information within the meaning of Schedule 12A of the Local Government Act 1972.

1.1 The preferred bidder for the zanzibar residential placement contract is named here.
"""


def test_private_business_and_exempt_notices_are_detected(tmp_path):
    (tmp_path / "pack.txt").write_text(EXEMPT)
    ps = parse_path(tmp_path / "pack.txt")
    hidden = restricted_documents(ps, tmp_path)
    titles = {d.title for d in ps.documents if d.id in hidden}
    assert titles == {"Residential Placement Contract"}


def test_a_sidecar_marks_a_whole_file_restricted(tmp_path):
    shutil.copy(PACK, tmp_path / PACK.name)
    (tmp_path / (PACK.name + ".restricted")).write_text("")
    ps = parse_path(tmp_path / PACK.name, root=tmp_path)
    assert restricted_documents(ps, tmp_path) == {d.id for d in ps.documents}


def test_anonymous_search_never_returns_restricted_passages(tmp_path):
    (tmp_path / "pack.txt").write_text(EXEMPT)
    update_index(tmp_path / "idx", [(tmp_path / "pack.txt", tmp_path)], HashEmbedder(),
                 restricted=restricted_documents)
    index = Index.open(tmp_path / "idx", embedder=HashEmbedder())
    public = search(index, "zanzibar residential placement preferred bidder", 50)
    assert public and all("zanzibar" not in r.text for r in public)
    member = search(index, "zanzibar residential placement preferred bidder", 50, Filters(include_restricted=True))
    assert any("zanzibar" in r.text for r in member)


# ---------------------------------------------------------------- item level, anywhere in a document

PRIVATE_MINUTES = """30. Exclusion of the Press and Public

RESOLVED that under Section 100(A)(4) of the Local Government Act 1972, the public be excluded from the meeting for the following item on the grounds that it involves the likely disclosure of exempt information as defined in Paragraph 3 of Part 1 of Schedule 12A of the Act.

Private Business

31. Sale of the Quixotic Depot

The Board noted the sale of the quixotic depot to Zephyrine Holdings for four million pounds.

Public Business

32. Thanks to the Clerk

The Board thanked the clerk for her years of service.

"""


def _pack_with_private_minutes(tmp_path) -> Path:
    text = PACK.read_text(encoding="utf-8")
    at = text.index("(Meeting closed at 12.40 pm)")
    assert at > 1500  # far past where the old check stopped reading
    (tmp_path / PACK.name).write_text(text[:at] + PRIVATE_MINUTES + text[at:], encoding="utf-8")
    return tmp_path / PACK.name


def test_private_business_late_in_the_minutes_marks_the_items_after_it(tmp_path):
    ps = mark_restricted(parse_path(_pack_with_private_minutes(tmp_path), root=tmp_path), tmp_path)
    by_number = {it.number: it for it in ps.items if it.kind == "minute"}
    assert by_number["31"].restricted  # under "Private Business"
    assert not by_number["30"].restricted  # the resolution to exclude the public is public business
    assert not by_number["32"].restricted  # "Public Business" returns
    assert not by_number["29"].restricted and not by_number["25"].restricted
    minutes = next(d for d in ps.documents if d.doc_type == "minutes")
    assert not minutes.restricted  # only the private items, not the whole minutes
    front = next(it for it in ps.items if it.id.endswith("/agenda"))
    assert not front.restricted  # the front sheet stays public


def test_search_and_item_pages_hide_a_private_minute(tmp_path):
    pack = _pack_with_private_minutes(tmp_path)
    update_index(tmp_path / "idx", [(pack, tmp_path)], HashEmbedder())  # no callback: marks still apply
    index = Index.open(tmp_path / "idx", embedder=HashEmbedder())
    assert all("Zephyrine" not in r.text for r in search(index, "quixotic depot Zephyrine sale", 50))
    assert any("Zephyrine" in r.text
               for r in search(index, "quixotic depot Zephyrine sale", 50, Filters(include_restricted=True)))
    item = next(r for r in index.query("SELECT id, restricted FROM items") if r["id"].endswith("minute-31"))
    assert item["restricted"] == 1
    assert index.holds_restricted(PACK.name)  # the original file is withheld from the public


def test_an_exempt_notice_marks_its_own_item_only():
    assert has_notice("This report contains exempt information within paragraph 3 of Part 1 of Schedule 12A.")
    assert has_notice("Not for publication")
    assert has_notice("Private report\n\nTo: Cabinet")
    assert not has_notice("RESOLVED that the press and public be excluded under paragraph 3 of Part 1 of "
                          "Schedule 12A, as the item involves exempt information.")
    assert not has_notice("This report does not contain exempt information.")
    assert not has_notice("The Board noted the library opening hours.")


def test_headings_open_and_close_private_sections():
    text = "Intro\nPart 2\nsecret one\n## **Public Business**\nopen\nPRIVATE BUSINESS\nsecret two\n"
    spans = private_spans(text, (0, len(text)))
    inside = [text[a:b] for a, b in spans]
    assert len(inside) == 2 and "secret one" in inside[0] and "open" not in inside[0]
    assert "secret two" in inside[1]
    assert private_spans("Part 2 of the report sets out the costs.\n", (0, 41)) == []


def test_the_minutes_item_of_a_pack_withholds_private_minutes_but_keeps_highlights(tmp_path):
    from indexer.retrieve.browse import WITHHELD, get_item

    pack = _pack_with_private_minutes(tmp_path)
    update_index(tmp_path / "idx", [(pack, tmp_path)], HashEmbedder())
    index = Index.open(tmp_path / "idx", embedder=HashEmbedder())
    minutes_item = next(r["id"] for r in index.query("SELECT id, title FROM items WHERE kind='agenda'")
                        if r["title"] == "Minutes")
    after = index.query("SELECT id, text FROM chunks WHERE item_id LIKE '%minute-32'")[0]
    public = get_item(index, minutes_item, highlight=after["id"])
    text = "\n".join(s["text"] for s in public["sections"])
    assert "Zephyrine" not in text and "Quixotic" not in text and WITHHELD in text
    hl = public["highlight"]
    assert public["sections"][hl["section"]]["text"][hl["start"]:hl["end"]] == after["text"]
    member = get_item(index, minutes_item, include_restricted=True)
    assert "Zephyrine" in "\n".join(s["text"] for s in member["sections"])
