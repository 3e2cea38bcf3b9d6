"""`council fetch` and `council update` against the stand-in ModernGov site: exit codes,
errors on stderr naming the document and the reason, a real SIGKILL and its resumption."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from indexer.cli import main

REPO = Path(__file__).resolve().parents[2]
FAST = ["--delay", "0", "--retries", "0", "--timeout", "2"]


def invoke(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def test_exit_0_when_every_document_came(site, tmp_path):
    r = invoke("fetch", f"http://localhost:{site.port}/", "--out", tmp_path / "p",
               "--committee", "Planning & Highways Committee", *FAST)
    assert r.exit_code == 0, r.output
    assert "1 documents downloaded" in r.stdout and "0 failed" in r.stdout


def test_exit_1_names_each_document_that_failed(site, tmp_path):
    site.missing = {107}
    r = invoke("fetch", f"http://localhost:{site.port}/", "--out", tmp_path / "p", "--committee", "cabinet", *FAST)
    assert r.exit_code == 1
    assert "error: Cabinet, 2025-01-16: 'Missing report' (" in r.stderr and "ID=107): not found (404)" in r.stderr
    assert "not on the council's site" in r.stderr
    assert "restricted: Cabinet, 2025-03-13: 'Sale of Land at Mill Lane'" in r.stderr
    assert (tmp_path / "p" / "Cabinet" / "2025-03-13" / "Library Opening Hours - report.pdf").is_file()


def test_exit_2_when_the_site_is_unusable(httpserver, tmp_path):
    r = invoke("fetch", httpserver.url_for("/"), "--out", tmp_path / "p", *FAST)
    assert r.exit_code == 2
    assert "the site is unusable" in r.stderr
    assert "tried http://localhost" in r.stderr and "mgWebService.asmx/GetCommittees" in r.stderr
    assert "mgListCommittees.aspx" in r.stderr and "server error (500)" in r.stderr


def test_exit_2_for_an_unknown_committee(site, tmp_path):
    r = invoke("fetch", f"http://localhost:{site.port}/", "--out", tmp_path / "p", "--committee", "Nope", *FAST)
    assert r.exit_code == 2 and "no committee titled 'Nope'" in r.stderr and "Cabinet" in r.stderr


def test_member_cookie_from_the_environment_is_never_printed(site, tmp_path):
    r = invoke("-v", "fetch", f"http://localhost:{site.port}/", "--out", tmp_path / "p", "--committee", "Cabinet",
               *FAST, env={"COUNCIL_MEMBER_COOKIE": site.member_cookie})
    assert "member-secret" not in r.output
    assert (tmp_path / "p" / "Cabinet" / "2025-03-13" / "Sale of Land at Mill Lane.pdf.restricted").is_file()


def test_update_indexes_what_changed_and_then_nothing(site, tmp_path):
    args = ["update", f"http://localhost:{site.port}/", "--out", tmp_path / "p", "--index-dir", tmp_path / "ix",
            "--model", "hash-32", *FAST]
    first = invoke(*args)
    assert first.exit_code == 1  # the off-site link is reported, the rest indexed
    assert "indexed: 3 added" in first.stdout, first.output  # the 2019 meeting has no papers to index
    second = invoke(*args)
    assert "nothing new to index (0 meeting folders changed on the site); the index is untouched" in second.stdout
    site.docs[104].body = site.docs[201].body  # the council replaces one report
    third = invoke(*args)
    assert "indexed: 0 added, 1 changed, 2 unchanged" in third.stdout, third.output


def test_sigkill_mid_fetch_then_resume(site, tmp_path):
    out = tmp_path / "p"
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "indexer.cli", "fetch", f"http://localhost:{site.port}/",
                             "--out", str(out), "--delay", "0.05", "--retries", "0"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    deadline = time.monotonic() + 20
    while len(site.log) < 9 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    docs_before = [p for _, p, s, _ in site.log if s == 200 and "mgWebService" not in p]
    done_before = set(docs_before[:-1])  # the last may still have been in flight when killed
    n = len(site.log)
    r = invoke("fetch", f"http://localhost:{site.port}/", "--out", out, *FAST)
    again = {p for _, p, s, _ in site.log[n:] if s == 200 and "mgWebService" not in p}
    assert r.exit_code == 1  # the off-site link, as always
    assert done_before and not (again & done_before)
    assert not list(out.rglob("*.part"))
