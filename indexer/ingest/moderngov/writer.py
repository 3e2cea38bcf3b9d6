"""What the fetcher writes: ``DIR/<committee>/<YYYY-MM-DD>/`` folders of documents named after
their titles, a ``meeting.json`` in each, and the resumable state in ``DIR/.council-fetch/``.

Every write is atomic (a temporary file renamed into place), so a run killed at any moment
leaves each file either as it was or whole. The state records, per document URL, the file,
its SHA-256 and the validators (ETag, Last-Modified) for the next conditional request, and
which run fetched it: a run that was killed is resumed by the next, which skips what the
killed run finished without asking the site again.

File names keep the title but can never leave the folder: path separators, control and
reserved characters are replaced, leading dots dropped, length capped.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

STATE_DIR = ".council-fetch"  # hidden: `council index` never reads it
MAX_NAME = 120
_SLASH = re.compile(r"[/\\]+")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f:*?"<>|]+')


def safe_name(title: str, suffix: str = "", taken: set[str] | None = None) -> str:
    """A file (or folder) name that keeps ``title`` readable and cannot escape its folder."""
    name = unicodedata.normalize("NFC", title or "")
    name = _UNSAFE.sub(" ", _SLASH.sub("-", name))
    name = " ".join(name.split()).strip(" .-")
    if not name or set(name) <= {"."}:
        name = "document"
    if name.upper().startswith("README"):
        name = "Document - " + name  # `council index` skips a folder's README
    while len(name.encode("utf-8")) > MAX_NAME:
        name = name[:-1]
    name = name.rstrip(" .-") or "document"
    out, n = name + suffix, 2
    taken = taken if taken is not None else set()
    while out.lower() in taken:
        out, n = f"{name} ({n}){suffix}", n + 1
    taken.add(out.lower())
    return out


def inside(folder: Path, name: str) -> Path:
    """``folder/name``, refused if it would resolve anywhere but directly inside ``folder``."""
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise ValueError(f"unsafe file name {name!r}")
    return target


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name[:40], suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def temp_path(folder: Path) -> Path:
    """A hidden file in ``folder`` for a download in progress (`council index` skips it)."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f".download-{uuid.uuid4().hex[:12]}.part"


def write_json_if_changed(path: Path, data: dict) -> bool:
    """Write ``data`` as JSON unless the file already says exactly that; True when written."""
    text = (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if path.is_file() and path.read_bytes() == text:
        return False
    atomic_write(path, text)
    return True


@dataclass
class FetchState:
    """The fetcher's memory of one output folder and site (``DIR/.council-fetch/state.json``)."""

    path: Path
    site: str
    run: str = ""  # the run in progress (kept when a run is killed, so the next resumes it)
    resumed: bool = False
    documents: dict[str, dict] = field(default_factory=dict)  # URL -> file, sha256, etag, ...
    meetings: dict[str, dict] = field(default_factory=dict)  # meeting id -> folder, run

    @classmethod
    def open(cls, out: Path, site: str) -> FetchState:
        path = out / STATE_DIR / "state.json"
        for stale in path.parent.glob(".*.part"):  # a run killed while saving its state
            stale.unlink(missing_ok=True)
        raw: dict = {}
        if path.is_file():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                raw = {}  # a damaged state costs one full conditional pass, nothing more
        if raw.get("site") not in (None, site):
            raise ValueError(f"{out} holds papers fetched from {raw['site']}; use another --out for {site}")
        st = cls(path, site, raw.get("run") or "", bool(raw.get("run")), raw.get("documents", {}),
                 raw.get("meetings", {}))
        if not st.run:
            st.run = uuid.uuid4().hex[:12]
        st.save()
        return st

    def save(self) -> None:
        atomic_write(self.path, json.dumps({"site": self.site, "run": self.run, "documents": self.documents,
                                            "meetings": self.meetings}, indent=1).encode("utf-8"))

    def finish(self) -> None:
        """The run completed: the next run starts afresh (conditional requests for everything)."""
        self.run = ""
        self.save()

    def done_this_run(self, record: dict | None, root: Path) -> bool:
        """Fetched by the run being resumed, and its file still whole on disk."""
        return bool(record and self.resumed and record.get("run") == self.run
                    and (not record.get("file") or (root / record["file"]).is_file()))
