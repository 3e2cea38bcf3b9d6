"""Restricted (Part B) papers: detected from the text or marked by a sidecar, never shown anonymously."""

from __future__ import annotations

import shutil
from pathlib import Path

from indexer.embed.hashing import HashEmbedder
from indexer.store.index import Index, update_index
from indexer.structure.privacy import restricted_documents
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
