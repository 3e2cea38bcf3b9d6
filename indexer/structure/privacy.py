"""Private business: papers councils hold back from the public (LGA 1972, Schedule 12A).

A document is restricted when its agenda entry sits under "Private Business", when its own
text carries an exempt-information notice, or when a sidecar or setting says so.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from indexer.common.models import ParsedSource

EXEMPT_RE = re.compile(
    r"(exempt information|not for publication|Schedule 12A|Part B|private business)", re.I)


def restricted_documents(ps: ParsedSource, root: Path | None = None) -> set[str]:
    """Ids of the documents in ``ps`` that anonymous users must never see.

    ``root`` is the folder the source paths are relative to (where sidecars are looked for)."""
    out = {d.id for d in ps.documents if d.restricted}
    for d in ps.documents:
        if d.doc_type == "agenda":
            continue  # a front sheet lists private items but is itself public
        head = ps.source_for(d.path).text[d.span[0]:min(d.span[1], d.span[0] + 1500)]
        if re.search(r"^\W*(Private Business|Part B)\W*$", head, re.M | re.I) or re.search(
                r"(contains? )?exempt information|not for publication", head, re.I):
            out.add(d.id)
    for src in ps.sources:
        sidecar = (Path(root) if root is not None else Path(".")) / (src.path + ".restricted")
        if sidecar.exists():
            out |= {d.id for d in ps.documents if d.path == src.path}
    return out
