"""Agenda packs with private business at random places, for the leak property test.

A pack is a ModernGov-style front sheet, the minutes of the previous meeting and the reports.
Every sentence that must stay private holds a *payload* word (``zqp…``) and a *key* word
(``zqk…``): the test searches and asks with key words and asserts that no payload word, and no
whole private sentence, reaches an anonymous caller. Public sentences hold ``pubw…`` words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

COMMITTEE = "Estates and Assets Committee"
COUNCIL = "Borsetshire City Council"

# the ways a private section opens in minutes (the last is a numbered minute of its own)
PRIVATE_HEADINGS = ("Private Business", "## **Private Business**", "PART 2", "Part B",
                    "Part II - Items which are exempt", "EXCLUSION")


REPORT_TITLES = ("Parks Maintenance Contract", "Library Opening Hours", "Street Lighting Replacement")
PART_B_HEADINGS = ("Part B", "PART 2 - NOT FOR PUBLICATION", "**Private Business**")


def _word(prefix: str, n: int) -> str:
    letters = "abcdefghij"
    return prefix + "".join(letters[int(d)] for d in str(n))


@dataclass
class Pack:
    """The text of one pack and what it must hide."""

    text: str = ""
    payloads: list[str] = field(default_factory=list)  # words only private sentences hold
    keys: list[str] = field(default_factory=list)  # words to search for them with
    sentences: list[str] = field(default_factory=list)  # the private sentences, whole
    public_words: list[str] = field(default_factory=list)
    sidecar: bool = False  # the whole file is marked restricted by a sidecar
    _n: int = 0

    def secret(self) -> str:
        self._n += 1
        key, payload = _word("zqk", self._n), _word("zqp", self._n)
        s = (f"The committee agreed the {key} terms with {payload} Holdings for {self._n * 7919} pounds "
             f"under a confidential sale agreement.")
        self.keys.append(key)
        self.payloads.append(payload)
        self.sentences.append(s)
        return s

    def public(self) -> str:
        self._n += 1
        w = _word("pubw", self._n)
        self.public_words.append(w)
        return f"The committee noted the {w} library opening hours and the budget for the branch services."


@st.composite
def packs(draw, sidecar_allowed: bool = True) -> Pack:
    p = Pack()
    before = draw(st.integers(1, 5))  # public minutes before the private section
    heading = draw(st.sampled_from(PRIVATE_HEADINGS))
    n_private = draw(st.integers(1, 3))
    back_to_public = draw(st.booleans())
    after = draw(st.integers(0, 2)) if back_to_public else 0
    sizes = draw(st.lists(st.integers(1, 9), min_size=before + n_private + after + 1,
                          max_size=before + n_private + after + 1))
    n_reports = draw(st.integers(1, 3))
    report_sizes = draw(st.lists(st.integers(1, 14), min_size=n_reports, max_size=n_reports))
    private_report = draw(st.booleans())
    notice_report = draw(st.booleans())  # a report under public business carrying an exempt notice
    mid_part_b = draw(st.booleans())  # a public report whose last section is under "Part B"
    p.sidecar = sidecar_allowed and draw(st.integers(0, 9)) == 0

    # ------------------------------------------------------------------ the minutes
    minutes: list[str] = []
    public_recs: list[str] = []
    num = 10
    s = iter(sizes)
    for _ in range(before):
        minutes.append(f"{num}. Public Matter {num}\n\n" + "\n\n".join(p.public() for _ in range(next(s))))
        num += 1
    if heading == "EXCLUSION":
        minutes.append(f"{num}. Exclusion of the Press and Public\n\nRESOLVED that under Section 100(A)(4) of the "
                       "Local Government Act 1972, the public be excluded from the meeting for the following items "
                       "on the grounds that they involve the likely disclosure of exempt information as defined in "
                       "Paragraph 3 of Part 1 of Schedule 12A of the Act.")
        num += 1
    else:
        minutes.append(heading)
    resolved = draw(st.booleans())
    for _ in range(n_private):
        body = "\n\n".join(p.secret() for _ in range(next(s)))
        if resolved:  # a recommendation the tracker reads, and a public one naming the same matter
            key = p.keys[-1]
            body += f"\n\nRESOLVED that the Committee recommend that the Cabinet Member:\n\n1) {p.secret()}"
            public_recs.append(f"RESOLVED that the Committee recommend that the Cabinet Member review the {key} "
                               "terms and report back to the Committee.")
        minutes.append(f"{num}. Land Matter {num}\n\n" + body)
        num += 1
    if back_to_public:
        minutes.append("Public Business")
        for _ in range(after):
            minutes.append(f"{num}. Public Matter {num}\n\n" + "\n\n".join(p.public() for _ in range(next(s))))
            num += 1
    if public_recs:  # the public minute before the private section recommends on the same matter
        minutes[before - 1] += "\n\n" + "\n\n".join(public_recs)

    # ------------------------------------------------------------------ the reports
    entries = ["1. **Apologies**", "2. **Minutes** (Pages 3 - 6)",
               " - a) To agree the minutes of the meeting held on 6th January, 2020"]
    reports: list[str] = []
    page = 7
    for r in range(n_reports):
        title = REPORT_TITLES[r]
        entries += [f"{r + 3}. **{title}** (Pages {page} - {page + 1})", "", "Report of the Director of Place"]
        page += 2
        body = [p.public() for _ in range(report_sizes[r])]
        cover = "Briefing note"
        if notice_report and r == 0:
            body = [p.secret() for _ in range(report_sizes[r])]
            body.insert(0, "This report contains exempt information within paragraph 3 of Part 1 of "
                           "Schedule 12A of the Local Government Act 1972.")
        elif mid_part_b and r == n_reports - 1:
            # the whole report is held back; its public-looking sentences need not be checked
            tail = f"\n\n{draw(st.sampled_from(PART_B_HEADINGS))}\n\n2.1 {p.secret()}\n\n2.2 {p.secret()}"
        reports.append(f"{COUNCIL}\n\n{cover}\n\nTo: {COMMITTEE}\n\nDate: 3rd February 2020\n\nSubject: {title}\n\n"
                       + "\n\n".join(f"1.{k + 1} {b}" for k, b in enumerate(body))
                       + (tail if mid_part_b and r == n_reports - 1 and not (notice_report and r == 0) else ""))
    n = n_reports + 3
    entries += [f"{n}. **Exclusion of Press and Public**", "", "Private Business"]
    if private_report:
        n += 1
        entries += [f"{n}. **Disposal of Land** (Pages {page} - {page + 1})", "", "Report of the Director of Finance"]
        reports.append(f"{COUNCIL}\n\nPrivate report\n\nTo: {COMMITTEE}\n\nDate: 3rd February 2020\n\n"
                       f"Subject: Disposal of Land\n\n1.1 {p.secret()}\n\n1.2 {p.secret()}")
    else:
        entries += ["", "Nil"]

    front = (f"{COMMITTEE}\n\nTime and Date\n\n2.00 pm on Monday, 3rd February, 2020\n\nPlace\n\n"
             "Committee Room 1 - Civic Hall\n\nPublic Business\n\n" + "\n".join(entries)
             + "\n\nMembership: Councillors A Smith (Chair), B Jones\n\n")
    minutes_text = (f"{COUNCIL}\nMinutes of the Meeting of {COMMITTEE}\nheld at 2.00 pm on Monday, 6 January 2020\n\n"
                    "Present:\n\nMembers: Councillor A Smith (Chair)\nCouncillor B Jones\n\nPublic Business\n\n"
                    + "\n\n".join(minutes) + "\n\n(Meeting closed at 4.00 pm)\n\n")
    p.text = front + minutes_text + "\n\n".join(reports) + "\n"
    if p.sidecar:
        # everything is private: search with two public-looking words, and none of the others may show
        p.keys += p.public_words[:2]
        p.payloads += p.public_words[2:]
    return p
