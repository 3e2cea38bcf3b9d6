"""The ModernGov fetcher against the stand-in site: every quirk of real installs, politeness,
resumability, conditional requests, and the safety rules (host, size, content type, names)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from indexer.ingest.moderngov import FetchError, Politeness, SiteClient
from indexer.ingest.moderngov.service import clean, parse_meetings, service_date
from indexer.ingest.moderngov.writer import safe_name
from tests.ingest.conftest import FAST, run


def docs_fetched(site) -> list[str]:
    return [p for m, p, status, _ in site.log if "mgWebService" not in p and ".aspx?CId" not in p
            and status == 200 and not p.startswith("/ie") and not p.startswith("/mgList")]


def meeting_json(out: Path, committee: str, day: str) -> dict:
    return json.loads((out / committee / day / "meeting.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ the whole site, once and again

def test_first_fetch_writes_folders_and_meeting_json(site, tmp_path):
    out = tmp_path / "papers"
    r = run(site, out)
    assert r.source == "web service" and not r.site_error
    mj = meeting_json(out, "Cabinet", "2025-03-13")
    assert mj["committee"] == "Cabinet" and mj["date"] == "2025-03-13" and mj["start_time"] == "10:00"
    assert mj["status"] == "Minutes published" and mj["meeting_id"] == 1001 and mj["committee_id"] == 11
    assert mj["url"].endswith("/ieListDocuments.aspx?CId=11&MId=1001")
    assert [(i["number"], i["title"]) for i in mj["items"]] == [
        ("1", "Apologies for absence"), ("2", "Declarations of interest"), ("3", "Library Opening Hours"),
        ("4", "Highways & Transport Budget"), ("5", "Sale of Land at Mill Lane")]
    report = mj["items"][2]["documents"][0]
    assert report["file"] == "Library Opening Hours - report.pdf" and report["attachment_id"] == 102
    assert report["etag"] and report["last_modified"] and report["restricted"] is False
    assert (out / "Cabinet" / "2025-03-13" / report["file"]).read_bytes()[:5] == b"%PDF-"
    # the double-escaped committee title comes back as the council wrote it
    assert (out / "Planning & Highways Committee" / "2025-02-04" / "meeting.json").is_file()
    assert "Old Panel" not in {p.name for p in out.iterdir()}  # a deleted committee is skipped


def test_second_run_downloads_nothing(site, tmp_path):
    out = tmp_path / "papers"
    first = run(site, out)
    n = len(site.log)
    second = run(site, out)
    again = site.log[n:]
    doc_requests = [x for x in again if "mgWebService" not in x[1]]
    assert doc_requests and all(status == 304 and size == 0 for _, _, status, size in doc_requests)
    assert second.downloaded == 0 and second.changed == [] and first.downloaded > 0
    conditional = [h for h in site.headers_seen[n:] if "If-None-Match" in h or "If-Modified-Since" in h]
    assert len(conditional) == len(doc_requests)


def test_getmeetings_ignoring_dates_is_filtered_here(site, tmp_path):
    from datetime import date

    out = tmp_path / "papers"
    r = run(site, out, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
    assert not (out / "Cabinet" / "2019-06-01").exists()
    assert not any("lMeetingId=1000" in p for _, p, _, _ in site.log)
    assert r.meetings == 3


def test_double_escaped_titles_unescape_once_more():
    assert clean("Highways &amp;amp; Transport") == "Highways & Transport"  # as XML leaves it: "&amp;"
    assert clean("Highways &amp; Transport") == "Highways & Transport"
    assert clean("  Report <b>one</b>\n two ") == "Report one two"
    assert service_date("13/03/2025 00:00:00") == service_date("2025-03-13")


def test_getmeetings_parse_filters_on_meetingdate():
    xml = (b"<meetings><meeting><meetingid>1</meetingid><meetingdate>01/06/2019</meetingdate></meeting>"
           b"<meeting><meetingid>2</meetingid><meetingdate>13/03/2025</meetingdate></meeting></meetings>")
    from datetime import date

    assert [m.id for m in parse_meetings(xml, 5, date(2024, 1, 1))] == [2]


def test_a_document_listed_twice_and_a_pack_repeating_it_are_kept_once(site, tmp_path):
    out = tmp_path / "papers"
    r = run(site, out)
    assert sum(1 for p in docs_fetched(site) if "ID=103" in p) == 1  # listed twice in item 3
    mj = meeting_json(out, "Cabinet", "2025-03-13")
    assert [d["attachment_id"] for d in mj["items"][2]["documents"]] == [102, 103]
    # the supplement is the same file as item 4's report: one copy, both listings point at it
    supp = next(d for d in mj["documents"] if d["attachment_id"] == 110)
    assert supp["file"] == mj["items"][3]["documents"][0]["file"]
    assert r.duplicates >= 2
    pdfs = sorted(p.name for p in (out / "Cabinet" / "2025-03-13").glob("*.pdf"))
    assert len(pdfs) == len(set(pdfs)) == 6 and not any("Supplement" in p for p in pdfs)


# ------------------------------------------------------------------ what real sites do

def test_http_urls_on_the_site_follow_its_scheme_and_other_hosts_are_refused():
    with SiteClient("https://democracy.example.gov.uk", FAST) as c:
        assert c.url("http://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=5") == \
            "https://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=5"
        assert c.url("documents/s1/x.pdf") == "https://democracy.example.gov.uk/documents/s1/x.pdf"
        assert c.url("documents/s1/A report.pdf") == "https://democracy.example.gov.uk/documents/s1/A%20report.pdf"
        assert c.url("documents/s1/A%20report.pdf?x=1&y=2") == \
            "https://democracy.example.gov.uk/documents/s1/A%20report.pdf?x=1&y=2"
        for off in ("https://elsewhere.example.com/x.pdf", "file:///etc/passwd", "//evil.example/x"):
            with pytest.raises(FetchError, match="not on the council's site"):
                c.url(off)


def test_off_site_documents_are_named_not_fetched(site, tmp_path):
    r = run(site, tmp_path / "papers")
    off = [p for p in r.failures if "elsewhere.invalid" in p.url]
    assert off and "not on the council's site" in off[0].reason and off[0].title == "Consultant's report"


def test_a_site_that_refuses_non_browsers(site, tmp_path):
    site.browser_only = True
    r = run(site, tmp_path / "papers")
    assert not r.site_error and r.downloaded >= 8
    agents = {h.get("User-Agent", "") for h in site.headers_seen}
    assert all("council-papers-search" in a for a in agents)  # the project is always named
    assert sum(1 for _, _, s, _ in site.log if s == 403) == 1  # asked as a browser from then on


def test_intermittent_500s_are_retried_honouring_retry_after(site, tmp_path):
    site.flaky = {"mgWebService.asmx/GetMeeting": 2, "documents/s501": 1}
    site.retry_after = "3"
    waits: list[float] = []
    polite = Politeness(delay=0.0, timeout=2.0, retries=3, backoff=0.001, max_wait=60)
    r = run(site, tmp_path / "papers", polite, sleep=waits.append)
    assert not r.failures or all("elsewhere" in p.url for p in r.failures)
    assert waits.count(3.0) == 3  # each retry waited what the site asked, no more


def test_429_backs_off_for_as_long_as_asked(site, tmp_path):
    site.flaky, site.flaky_status, site.retry_after = {"mgConvert2PDF.aspx": 2}, 429, "7"
    waits: list[float] = []
    r = run(site, tmp_path / "papers", Politeness(delay=0, timeout=2, retries=3, backoff=0.5, max_wait=60),
            sleep=waits.append)
    assert waits == [7.0, 7.0] and not any("429" in p.reason for p in r.failures)


def test_member_header_is_sent_and_kept_out_of_everything_written(site, tmp_path):
    out = tmp_path / "papers"
    run(site, out, header="X-Member-Token: t0ps3cret")
    assert all(h.get("X-Member-Token") == "t0ps3cret" for h in site.headers_seen)
    assert not any("t0ps3cret" in p.read_text(errors="replace") for p in out.rglob("*.json"))
    with pytest.raises(ValueError, match="Name: value"):
        SiteClient("https://x.example", FAST, header="no colon here")


def test_429_and_repeated_500_give_up_with_the_reason(site, tmp_path):
    site.flaky = {"documents/s501": 99}
    r = run(site, tmp_path / "papers")
    bad = [p for p in r.failures if "s501" in p.url]
    assert bad and "server error (500) after 4 attempts" in bad[0].reason
    assert bad[0].title == "Library Opening Hours - report"


def test_slow_answers_time_out_and_the_rest_come(site, tmp_path):
    site.slow = {"documents/s501": 0.3}
    r = run(site, tmp_path / "papers", Politeness(delay=0.0, timeout=0.1, retries=1, backoff=0.0, max_wait=0.01))
    bad = [p for p in r.failures if "s501" in p.url]
    assert bad and "timed out, 2 attempts" in bad[0].reason
    assert (tmp_path / "papers" / "Cabinet" / "2025-03-13" / "Highways & Transport Budget.pdf").is_file()


def test_missing_attachments_are_reported_and_recorded(site, tmp_path):
    site.missing = {107}
    out = tmp_path / "papers"
    r = run(site, out)
    bad = [p for p in r.failures if "ID=107" in p.url]
    assert bad and bad[0].reason == "not found (404)" and bad[0].where == "Cabinet, 2025-01-16"
    listed = meeting_json(out, "Cabinet", "2025-01-16")["items"][1]["documents"]
    missing = next(d for d in listed if d["attachment_id"] == 107)
    assert missing["error"] == "not found (404)" and "file" not in missing


def test_restricted_documents_are_recorded_not_fetched(site, tmp_path):
    site.forbidden = {103}
    out = tmp_path / "papers"
    r = run(site, out)
    assert not any("ID=105" in p for p in docs_fetched(site))  # isrestricted: not even asked for
    assert {p.url.rsplit("=", 1)[-1] for p in r.restricted} == {"105", "103"}
    mj = meeting_json(out, "Cabinet", "2025-03-13")
    land = mj["items"][4]["documents"][0]
    appendix = mj["items"][2]["documents"][1]
    assert land["restricted"] and "file" not in land and appendix["restricted"]
    assert not any("restricted" in str(p) for p in r.failures)


def test_member_credentials_fetch_restricted_papers_marked_and_never_logged(site, tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "papers"
    r = run(site, out, cookie=site.member_cookie)
    folder = out / "Cabinet" / "2025-03-13"
    land = meeting_json(out, "Cabinet", "2025-03-13")["items"][4]["documents"][0]
    assert land["restricted"] and (folder / land["file"]).is_file()
    assert (folder / (land["file"] + ".restricted")).is_file()  # the sidecar `council index` honours
    assert not r.restricted
    secret = site.member_cookie.split("=", 1)[1]
    written = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.suffix in (".json", ".restricted"))
    assert secret not in caplog.text and secret not in written and secret not in str(capsys.readouterr())


def test_falls_back_to_the_public_pages_without_the_web_service(site, tmp_path):
    site.service = False
    out = tmp_path / "papers"
    r = run(site, out)
    assert r.source == "public pages" and not r.site_error
    assert any("mgWebService.asmx/GetCommittees" in t and "404" in t for t in r.tried)
    mj = meeting_json(out, "Cabinet", "2025-03-13")
    assert [(i["number"], i["title"]) for i in mj["items"]][3] == ("4", "Highways & Transport Budget")
    assert [d["title"] for d in mj["items"][2]["documents"]] == ["Library Opening Hours - report",
                                                                 "Appendix A - Visitor numbers"]
    assert (out / "Cabinet" / "2025-03-13" / "Library Opening Hours - report.pdf").is_file()


def test_an_unusable_site_says_what_was_tried(httpserver, tmp_path):
    httpserver.expect_request("/mgWebService.asmx/GetCommittees").respond_with_data("<html><body>Sign in<br></body></html>",
                                                                                     content_type="text/html")
    with SiteClient(httpserver.url_for("/"), FAST) as c:
        from indexer.ingest.moderngov import fetch_site

        r = fetch_site(c, tmp_path / "papers")
    assert r.site_error and len(r.tried) == 2
    assert "not XML" in r.tried[0] and "mgListCommittees.aspx" in r.tried[1]


# ------------------------------------------------------------------ resumable

class Killed(Exception):
    pass


def test_a_killed_run_resumes_without_re_downloading(site, tmp_path):
    out = tmp_path / "papers"
    calls = []

    def killed_mid_meeting(seconds: float) -> None:  # the pause before each request
        calls.append(seconds)
        if len(calls) == 10:  # inside the 13 March meeting, after two of its documents
            raise Killed()

    with pytest.raises(Killed):
        run(site, out, Politeness(delay=10.0, timeout=2, retries=0, backoff=0, max_wait=0), sleep=killed_mid_meeting)
    before = docs_fetched(site)
    assert len(before) >= 3
    n = len(site.log)
    r = run(site, out)
    after = [p for _, p, s, _ in site.log[n:] if "mgWebService" not in p]
    assert r.meetings_skipped == 2 and r.resumed >= 2  # two meetings and two documents already done
    assert not set(after) & set(before)  # nothing the killed run finished was asked for again
    mj = meeting_json(out, "Cabinet", "2025-03-13")
    assert all((out / "Cabinet" / "2025-03-13" / d["file"]).is_file()
               for it in mj["items"] for d in it["documents"] if "file" in d)


def test_half_downloads_are_never_read_and_are_cleaned(site, tmp_path):
    out = tmp_path / "papers"
    run(site, out)
    folder = out / "Cabinet" / "2025-03-13"
    (folder / ".download-0123456789ab.part").write_bytes(b"%PDF-half")
    run(site, out)
    assert not list(folder.glob("*.part"))


# ------------------------------------------------------------------ safety

def test_unsafe_titles_stay_inside_the_folder(site, tmp_path):
    out = tmp_path / "papers"
    run(site, out)
    files = {p.resolve() for p in out.rglob("*") if p.is_file()}
    assert all(out.resolve() in p.parents for p in files)
    assert (out / "Cabinet" / "2025-01-16" / "escape attempt.pdf").is_file()
    for bad in ("../../x", "..", "/etc/passwd", "a\\..\\b", "con\x00trol", "", " . "):
        name = safe_name(bad, ".pdf")
        assert "/" not in name and "\\" not in name and not name.startswith(".") and "\x00" not in name


def test_download_size_is_capped(site, tmp_path):
    r = run(site, tmp_path / "papers", Politeness(delay=0, timeout=2, retries=0, backoff=0, max_wait=0,
                                                  max_bytes=3000))
    big = [p for p in r.failures if "cap" in p.reason]
    assert big and "3,000-byte cap" in big[0].reason
    assert not list((tmp_path / "papers").rglob("*.part"))


def test_only_pdf_and_html_are_kept(site, tmp_path):
    site.docs[104].content_type = "application/zip"
    site.docs[103].content_type = "application/octet-stream"  # a PDF served as a download: kept
    r = run(site, tmp_path / "papers")
    bad = [p for p in r.failures if "ID=104" in p.url]
    assert bad and "content type application/zip is not PDF or HTML" in bad[0].reason
    assert (tmp_path / "papers" / "Cabinet" / "2025-03-13" / "Appendix A - Visitor numbers.pdf").is_file()


def test_one_request_at_a_time_with_the_delay(site, tmp_path):
    waits: list[float] = []
    run(site, tmp_path / "papers", Politeness(delay=5.0, timeout=2, retries=0, backoff=0, max_wait=0),
        sleep=waits.append)
    assert len(waits) == len(site.log) - 1 and all(4.0 < w <= 5.0 for w in waits)
