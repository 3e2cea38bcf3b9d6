"""indexer.structure.followups: the tracker's linking logic, and the tracker version covering it."""

import hashlib
from datetime import date
from pathlib import Path

from indexer.store import tracker
from indexer.structure import followups
from indexer.structure.followups import row_date


def test_tracker_version_covers_the_linking_module():
    both = Path(tracker.__file__).read_bytes() + Path(followups.__file__).read_bytes()
    assert tracker.TRACKER_VERSION == hashlib.sha256(both).hexdigest()[:16]


def test_row_dates_as_tables_print_them():
    near = date(2017, 6, 20)
    assert row_date("16th June 16", near) == date(2016, 6, 16)
    assert row_date("13th July 2017 – 10am", near) == date(2017, 7, 13)
    assert row_date("Wednesday 24th March", near) == date(2017, 3, 24)
    assert row_date("1 Sept", near) == date(2017, 9, 1)
    assert row_date("To be confirmed", near) is None
