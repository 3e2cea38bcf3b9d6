"""Shared helpers for the benchmarks: machine description, timing statistics, result files,
the benchmark queries and a `council serve` subprocess.

Nothing here runs at import time; every benchmark module is a set of functions that
``benchmarks/run.py`` calls.
"""

from __future__ import annotations

import contextlib
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
CACHE = REPO / ".cache" / "bench"  # gitignored: embeddings and built indexes
CORPUS = REPO / "corpus"
LIMERICK = Path(os.environ.get("COUNCIL_BENCH_LIMERICK", "/work/shared/limerick/meetings"))
COUNCIL = REPO / ".venv" / "bin" / "council"

# Fifty things a councillor or officer would type: paraphrases of topics and exact names
# (people, places, roads, committees) as they appear in Limerick's papers.
QUERIES: tuple[str, ...] = (
    "CCTV in Rathkeale town",
    "Superintendent Deasy policing plan",
    "Councillor Sheahan roads funding",
    "N21 Adare bypass",
    "N69 realignment",
    "R522 resurfacing",
    "housing waiting list numbers",
    "homeless services in Limerick city",
    "social housing acquisitions",
    "vacant and derelict properties",
    "Town and Village Renewal scheme grants",
    "Limerick Twenty Thirty",
    "budget for the municipal district",
    "general municipal allocation",
    "local property tax adjustment",
    "street lighting upgrade to LED",
    "pothole repairs on regional roads",
    "speed limits near schools",
    "traffic calming measures",
    "footpath works in Newcastle West",
    "Cappamore-Kilmallock municipal district meeting",
    "Adare-Rathkeale joint policing committee",
    "Metropolitan District of Limerick",
    "strategic policy committee on travel and transportation",
    "climate action plan",
    "flood relief scheme",
    "water supply problems Irish Water",
    "planning permission for wind farm",
    "Shannon Foynes port",
    "Greenway cycle route",
    "tourism and festivals funding",
    "community grants awarded",
    "playground provision",
    "litter and illegal dumping",
    "dog fouling bye-laws",
    "casual trading bye-laws",
    "burial ground extension",
    "library services opening hours",
    "fire service and emergency planning",
    "Garda numbers and anti-social behaviour",
    "Councillor Collins notice of motion",
    "Councillor Galvin question on housing",
    "Councillor Teskey as Cathaoirleach",
    "election of Mayor",
    "disposal of property under section 183",
    "Part 8 planning process",
    "development contribution scheme",
    "Covid-19 business supports",
    "rural transport and bus services",
    "minutes of previous meeting adopted",
)


@dataclass(frozen=True)
class Stats:
    n: int
    p50: float
    p95: float
    p99: float
    mean: float
    max: float

    @classmethod
    def of(cls, values_ms: Sequence[float]) -> "Stats":
        a = np.asarray(values_ms, dtype=np.float64)
        if a.size == 0:
            return cls(0, *(float("nan"),) * 5)
        p50, p95, p99 = np.percentile(a, [50, 95, 99])
        return cls(int(a.size), float(p50), float(p95), float(p99), float(a.mean()), float(a.max()))


def fmt_ms(x: float) -> str:
    return "n/a" if x != x else (f"{x:.1f}" if x < 100 else f"{x:.0f}")


def fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


# ------------------------------------------------------------------ the machine and the run

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def mem_total() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return f"{rev}{' (uncommitted changes)' if dirty else ''}" if rev else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@dataclass(frozen=True)
class Started:
    """When a benchmark began, and the machine's load then."""

    clock: float
    load: str


def start_clock() -> Started:
    return Started(time.perf_counter(), load_average())


def machine_lines(started: Started | None = None) -> list[str]:
    import faiss
    import torch

    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 0
    simd = "AVX2" if "avx2" in cpu_flags() else "no AVX2"
    return [
        f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {cpus} CPUs (`nproc`), {cpu_model()} ({simd}), {fmt_bytes(mem_total())} RAM, no GPU",
        f"- Load average (1, 5, 15 min) when the benchmark started: {started.load if started else load_average()} "
        "(the machine is shared; a load above 2 means other processes competed for the 2 cores)",
        f"- Software: Python {platform.python_version()}, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), faiss {faiss.__version__}, SQLite {_sqlite_version()}",
        f"- Code: git {git_revision()}",
    ]


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def write_result(name: str, title: str, command: str, body: list[str], *, started: Started | None = None) -> Path:
    """Write benchmarks/results/<name>.md: title, run description, then the body lines."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [f"# {title}", "", *machine_lines(started), f"- Command: `{command}`"]
    if started is not None:
        lines.append(f"- Wall time of this benchmark: {time.perf_counter() - started.clock:.0f} s; "
                     f"load average at its end: {load_average()}")
    lines += ["", *body, ""]
    path = RESULTS / f"{name}.md"
    path.write_text("\n".join(lines))
    return path


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def say(msg: str) -> None:
    """Progress on stderr (benchmarks are run by hand; results go to the markdown files)."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ a server subprocess

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_available() -> bool:
    if not COUNCIL.exists():
        return False
    out = subprocess.run([str(COUNCIL), "serve", "--help"], capture_output=True, text=True, timeout=120)
    return out.returncode == 0


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:<port>
    pid: int


@contextlib.contextmanager
def council_server(index_dir: Path, *, startup_timeout: float = 300.0,
                   extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """Run `council serve` on a free loopback port until the block ends; it is ready (the model
    loaded and one search answered) when the block starts. The per-client limit on /ask is off:
    every benchmark client is 127.0.0.1, and the benchmarks measure latency, not the limit."""
    import httpx

    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "COUNCIL_ASK_RATE_LIMIT": "",
           **(extra_env or {})}
    log = open(CACHE / f"serve-{port}.log", "w") if CACHE.is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [str(COUNCIL), "serve", "--index-dir", str(index_dir), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                where = getattr(log, "name", "its output")
                raise RuntimeError(f"council serve exited with {proc.returncode}; see {where}")
            try:
                r = httpx.get(f"{base}/search", params={"q": "warm up"}, timeout=60)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"council serve did not answer /search within {startup_timeout:.0f} s")
            time.sleep(0.5)
        yield Server(base, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log is not subprocess.DEVNULL:
            log.close()


def rss_of(pid: int) -> int:
    """Resident set size of a process in bytes (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
