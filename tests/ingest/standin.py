"""A stand-in ModernGov site for the fetcher's tests, served by pytest-httpserver on 127.0.0.1.

It answers the web service's three calls with XML in the shape real installs give
(``mgWebService.asmx/GetCommittees``, ``GetMeetings``, ``GetMeeting``), the public pages
(``mgListCommittees.aspx``, ``ieListMeetings.aspx``, ``ieListDocuments.aspx``) and tiny PDFs,
with every quirk the fetcher must survive switched on by default: GetMeetings ignores its
dates, titles are HTML-escaped then XML-escaped, a document is listed twice in one item, the
agenda pack repeats the per-item documents, document URLs come back as ``http://``. Others are
switched on per test: 403 to non-browser clients, intermittent 500s, slow answers, missing
attachments, restricted documents, no web service at all. Every request is logged.

The council, its committees and its papers are invented.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path

from werkzeug.wrappers import Request, Response

from tests.pdfgen import make_pdf

BRANCHES = ["Westfield", "Northgate", "Riverside", "Hillcrest", "Oakwood", "Millbrook", "Eastholme", "Ashby"]


def _paragraphs(start: int, n: int) -> str:
    """Distinct, plausible paragraphs (each about 45 words), so a report runs over pages."""
    out = []
    for k in range(start, start + n):
        b = BRANCHES[k % len(BRANCHES)]
        out.append(f"{k}. The {b} branch recorded {1200 + 37 * k} visits in quarter {1 + k % 4}, and its "
                   f"community room was booked for {40 + 3 * k} hours. Staff at {b} ran {5 + k % 7} reading "
                   f"groups and {2 + k % 5} digital skills sessions, and volunteers gave {100 + 11 * k} hours "
                   f"of help with the home library service.")
    return "\n".join(out)


LIBRARY_P1 = ("Library Opening Hours. Report of the Director of Communities. 1 Purpose. This report sets out "
              "proposals to change the opening hours of the borough's eight libraries from April.\n"
              + _paragraphs(1, 9))
LIBRARY_P2 = ("2 Recommendations. The Cabinet is recommended to approve Sunday opening at Westfield Library "
              "from 11am to 4pm, funded from the culture reserve at a cost of 42,000 pounds a year.\n"
              + _paragraphs(10, 9))
LIBRARY_P3 = "3 Consultation. " + _paragraphs(19, 8)
APPENDIX_P1 = ("Appendix A. Visitor numbers by library. Westfield Library received 61,204 visits in the year, "
               "an increase of 8 per cent on the year before.")
HIGHWAYS_P1 = ("Highways & Transport Budget. Report of the Director of Place. The pothole repair programme "
               "will resurface 120 roads, and the budget for gully cleaning rises to 310,000 pounds.")
HIGHWAYS_P2 = ("Risks. Winter weather may delay the resurfacing programme; contractors have agreed a "
               "reserve list of 15 roads to be done if the main list slips.")
LAND_P1 = ("Sale of Land at Mill Lane. Exempt information. The best offer for the site was 1,250,000 pounds "
           "from a local housing association.")
FRONT_P1 = ("Example Borough Council. Cabinet. Agenda. 1 Apologies for absence. 2 Declarations of interest. "
            "3 Library Opening Hours. 4 Highways & Transport Budget. 5 Sale of Land at Mill Lane.")
MINUTES_P1 = ("Minutes. Resolved that the Cabinet approves Sunday opening at Westfield Library, and notes "
              "the pothole repair programme.")


@dataclass
class Doc:
    id: int
    title: str  # as a person reads it; the XML escapes it twice
    pages: list[str]
    restricted: bool = False
    path: str = ""  # "" -> mgConvert2PDF.aspx?ID=<id>
    body: bytes = b""
    content_type: str = "application/pdf"


@dataclass
class Meeting:
    id: int
    committee_id: int
    date: date
    items: list[tuple[str, str, list[int]]]  # number, title, document ids
    documents: list[int] = field(default_factory=list)
    status: str = "Minutes published"


@dataclass
class Site:
    root: Path  # where the PDFs are generated
    service: bool = True  # False: mgWebService.asmx answers 404
    ignore_dates: bool = True
    http_urls: bool = True
    browser_only: bool = False  # 403 unless the User-Agent looks like a browser
    flaky: dict[str, int] = field(default_factory=dict)  # path prefix -> failures still to give
    flaky_status: int = 500  # what those failures answer (500, 503, 429)
    slow: dict[str, float] = field(default_factory=dict)  # path prefix -> seconds to sleep
    missing: set[int] = field(default_factory=set)  # document ids answering 404
    forbidden: set[int] = field(default_factory=set)  # document ids answering 403 without credentials
    member_cookie: str = "mgsession=member-secret"
    validators: bool = True  # ETag and Last-Modified on documents, and 304 to conditional GETs
    retry_after: str | None = "0"
    log: list[tuple[str, str, int, int]] = field(default_factory=list)  # method, path?query, status, bytes
    headers_seen: list[dict] = field(default_factory=list)
    port: int = 0
    committees: list[tuple[int, str, bool]] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    docs: dict[int, Doc] = field(default_factory=dict)

    # ---------------------------------------------------------------- content

    def build(self) -> Site:
        self.committees = [(11, "Cabinet", False), (12, "Planning & Highways Committee", False),
                           (13, "Old Panel", True)]
        d = self.docs
        d[101] = Doc(101, "Agenda frontsheet", [FRONT_P1])
        d[102] = Doc(102, "Library Opening Hours - report", [LIBRARY_P1, LIBRARY_P2, LIBRARY_P3],
                     path="documents/s501/Library Opening Hours report.pdf")
        d[103] = Doc(103, "Appendix A - Visitor numbers", [APPENDIX_P1])
        d[104] = Doc(104, "Highways & Transport Budget", [HIGHWAYS_P1, HIGHWAYS_P2])
        d[105] = Doc(105, "Sale of Land at Mill Lane", [LAND_P1], restricted=True)
        d[106] = Doc(106, "Printed minutes", [MINUTES_P1])
        d[107] = Doc(107, "Missing report", ["never served"])
        d[108] = Doc(108, "../../escape attempt", ["A document whose title tries to leave its folder."])
        pack = [FRONT_P1, LIBRARY_P1, LIBRARY_P2, LIBRARY_P3, APPENDIX_P1, HIGHWAYS_P1, HIGHWAYS_P2]
        d[109] = Doc(109, "Public reports pack", pack)
        d[110] = Doc(110, "Supplement - Highways & Transport Budget", [HIGHWAYS_P1, HIGHWAYS_P2])  # same bytes as 104
        d[111] = Doc(111, "Consultant's report", ["Hosted elsewhere."], path="http://elsewhere.invalid/report.pdf")
        d[201] = Doc(201, "Planning application 24/0107 - report",
                     ["Planning application 24/0107. Erection of 12 homes on land off Station Road. "
                      "The officer recommends approval subject to a section 106 agreement."])
        self.meetings = [
            Meeting(1001, 11, date(2025, 3, 13),
                    [("1", "Apologies for absence", []),
                     ("2", "Declarations of interest", []),
                     ("3", "Library Opening Hours", [102, 103, 103]),
                     ("4", "Highways & Transport Budget", [104]),
                     ("5", "Sale of Land at Mill Lane", [105])],
                    documents=[101, 109, 110, 106]),
            Meeting(1002, 11, date(2025, 1, 16), [("1", "Minutes", []), ("2", "Unsafe title test", [108, 107, 111])],
                    documents=[]),
            Meeting(1000, 11, date(2019, 6, 1), [("1", "An old meeting", [])], documents=[]),
            Meeting(2001, 12, date(2025, 2, 4), [("1", "Planning application 24/0107", [201])], documents=[]),
        ]
        for doc in d.values():
            pdf = make_pdf(self.root / f"doc-{doc.id}.pdf", doc.pages, footer="Page {n}")
            doc.body = pdf.read_bytes()
        return self

    def url_of(self, doc: Doc) -> str:
        if doc.path.startswith("http"):
            return doc.path  # a link to another host, which the fetcher must not follow
        scheme = "http" if self.http_urls else "https"  # real sites give http:// behind https
        rel = doc.path or f"mgConvert2PDF.aspx?ID={doc.id}"
        return f"{scheme}://localhost:{self.port}/{rel}"

    # ---------------------------------------------------------------- the handler

    def __call__(self, request: Request) -> Response:
        resp = self._answer(request)
        data = resp.get_data()
        self.log.append((request.method, request.full_path.rstrip("?"), resp.status_code, len(data)))
        self.headers_seen.append(dict(request.headers))
        return resp

    def _answer(self, req: Request) -> Response:
        path = req.path.lstrip("/")
        for prefix, seconds in self.slow.items():
            if path.startswith(prefix):
                time.sleep(seconds)
        for prefix, left in list(self.flaky.items()):
            if path.startswith(prefix) and left > 0:
                self.flaky[prefix] = left - 1
                headers = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
                return Response("Server Error", self.flaky_status, headers=headers)
        if self.browser_only and "Mozilla" not in req.headers.get("User-Agent", ""):
            return Response("<html>Access denied</html>", 403, content_type="text/html")
        if path.startswith("mgWebService.asmx"):
            if not self.service:
                return Response("<html><body>404 - File or directory not found.</body></html>", 404,
                                content_type="text/html")
            return self._service(path.split("/", 1)[1] if "/" in path else "", req.args)
        if path == "mgListCommittees.aspx":
            return _html("".join(f'<li><a href="mgCommitteeDetails.aspx?ID={cid}">{escape(t)}</a></li>'
                                 for cid, t, deleted in self.committees if not deleted))
        if path == "ieListMeetings.aspx":
            cid = int(req.args["CId"])
            return _html("".join(
                f'<li><a href="ieListDocuments.aspx?CId={cid}&amp;MId={m.id}">{m.date.day} '
                f'{m.date:%b %Y} 10.00 am</a></li>' for m in self.meetings if m.committee_id == cid))
        if path == "ieListDocuments.aspx":
            return self._meeting_page(int(req.args["MId"]))
        doc = self._doc_for(path, req.args)
        if doc is None:
            return Response("Not found", 404)
        return self._document(doc, req)

    def _doc_for(self, path: str, args) -> Doc | None:
        if path == "mgConvert2PDF.aspx" and args.get("ID", "").isdigit():
            return self.docs.get(int(args["ID"]))
        return next((d for d in self.docs.values() if d.path and d.path == path), None)

    def _document(self, doc: Doc, req: Request) -> Response:
        if doc.id in self.missing:
            return Response("<html>The document could not be found</html>", 404, content_type="text/html")
        if (doc.id in self.forbidden or doc.restricted) and self.member_cookie not in req.headers.get("Cookie", ""):
            return Response("<html>Please sign in</html>", 403, content_type="text/html")
        etag = '"' + hashlib.sha1(doc.body).hexdigest()[:16] + '"'
        modified = email.utils.format_datetime(email.utils.parsedate_to_datetime("Mon, 03 Mar 2025 09:00:00 GMT"),
                                               usegmt=True)
        inm = req.headers.get("If-None-Match")  # when sent, it decides (RFC 9110), not the date
        if self.validators and (inm == etag if inm else req.headers.get("If-Modified-Since") == modified):
            return Response(status=304, headers={"ETag": etag})
        headers = {"ETag": etag, "Last-Modified": modified} if self.validators else {}
        return Response(doc.body, 200, headers=headers, content_type=doc.content_type)

    # ---------------------------------------------------------------- XML

    def _service(self, call: str, args) -> Response:
        if call == "GetCommittees":
            body = "".join(f"<committee><committeeid>{cid}</committeeid><committeetitle>{_twice(t)}</committeetitle>"
                           f"<committeedeleted>{deleted}</committeedeleted></committee>"
                           for cid, t, deleted in self.committees)
            return _xml(f"<committees>{body}</committees>")
        if call == "GetMeetings":
            cid = int(args["lCommitteeId"])
            lo, hi = _dmy(args.get("sFromDate")), _dmy(args.get("sToDate"))
            ms = [m for m in self.meetings if m.committee_id == cid
                  and (self.ignore_dates or (lo <= m.date <= hi))]
            body = "".join(f"<meeting><meetingid>{m.id}</meetingid><meetingdate>{m.date:%d/%m/%Y}</meetingdate>"
                           f"<meetingstatus>{m.status}</meetingstatus></meeting>" for m in ms)
            return _xml(f"<getmeetings><meetings>{body}</meetings></getmeetings>")
        if call == "GetMeeting":
            m = next(m for m in self.meetings if m.id == int(args["lMeetingId"]))
            title = next(t for cid, t, _ in self.committees if cid == m.committee_id)
            items = "".join(
                f"<agendaitem><agendaitemnumber>{n}</agendaitemnumber><agendaitemtitle>{_twice(t)}</agendaitemtitle>"
                f"<linkeddocuments>{''.join(self._linked(self.docs[i]) for i in ids)}</linkeddocuments></agendaitem>"
                for n, t, ids in m.items)
            loose = "".join(self._linked(self.docs[i]) for i in m.documents)
            return _xml(f"<getmeeting><meeting><meetingid>{m.id}</meetingid><meetingdate>{m.date:%d/%m/%Y}"
                        f"</meetingdate><meetingtime>10:00</meetingtime><meetingstatus>{m.status}</meetingstatus>"
                        f"<committeeid>{m.committee_id}</committeeid><committeetitle>{_twice(title)}</committeetitle>"
                        f"<meetinglocation>Council Chamber, Town Hall</meetinglocation>"
                        f"<agendapublished>True</agendapublished><minutepublished>True</minutepublished>"
                        f"<linkeddocuments>{loose}</linkeddocuments><agendaitems>{items}</agendaitems>"
                        f"</meeting></getmeeting>")
        return Response("unknown call", 500)

    def _linked(self, d: Doc) -> str:
        return (f"<linkeddoc><title>{_twice(d.title)}</title><url>{escape(self.url_of(d))}</url>"
                f"<attachmentid>{d.id}</attachmentid><isrestricted>{d.restricted}</isrestricted></linkeddoc>")

    def _meeting_page(self, mid: int) -> Response:
        m = next(m for m in self.meetings if m.id == mid)
        links = "".join(f'<li><a href="{escape(self.url_of(self.docs[i]))}">{escape(self.docs[i].title)} PDF 12 KB'
                        f'</a></li>' for i in m.documents)
        rows = "".join(
            f'<tr><td class="mgItemNumberCell"><p class="mgAiTitleTxt">{n}.</p></td><td>'
            f'<p class="mgAiTitleTxt">{t}</p><ul class="mgActionList">'
            + "".join(f'<li><a href="{escape(self.url_of(self.docs[i]))}">{escape(self.docs[i].title)} PDF 20 KB</a></li>'
                      for i in ids) + "</ul></td></tr>" for n, t, ids in m.items)
        return _html(f'<h1>Agenda and minutes</h1><ul class="mgActionList">{links}</ul>'
                     f'<table class="mgItemTable">{rows}</table>')


def _twice(text: str) -> str:
    """HTML-escaped, then XML-escaped: "&" arrives as "&amp;amp;" (what real installs send)."""
    return escape(escape(text, quote=False), quote=False)


def _dmy(s: str | None) -> date:
    d, m, y = (int(x) for x in re.findall(r"\d+", s or "01/01/1900"))
    return date(y, m, d)


def _xml(body: str) -> Response:
    return Response('<?xml version="1.0" encoding="utf-8"?>' + body, 200, content_type="text/xml; charset=utf-8")


def _html(body: str) -> Response:
    return Response(f"<html><body>{body}</body></html>", 200, content_type="text/html; charset=utf-8")


def serve(httpserver, site: Site) -> Site:
    site.port = httpserver.port
    httpserver.expect_request(re.compile(".*")).respond_with_handler(site)
    return site
