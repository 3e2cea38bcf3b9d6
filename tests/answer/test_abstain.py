"""The abstention checks of indexer.abstain, without a model: years, periods, answer types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from indexer.answer.abstain import (
    after_scope, answer_type_ok, asked_period, expected_type, given_numbers, has_answer_type, meeting_asked,
    other_period, periods, time_supported, years,
)
from indexer.common.text import Idf, content_words


def test_years_and_ranges():
    assert years("in 2019") == {2019}
    assert years("the 2019/20 figures and 2020-21") == {(2019, 2020), 2019, 2020, (2020, 2021), 2021}
    assert years("2016-2017") == {(2016, 2017), 2016, 2017}
    assert years("2018/22 is not a year range") == {2018}  # 22 does not follow 18: a lone year
    assert years("caseloads of 10,000 and 1999") == {1999}


@pytest.mark.parametrize("question, period", [
    ("how many social workers in 2019?", 2019),
    ("visitors in 2018-19?", (2018, 2019)),
    ("how did things change between 2017 and 2022?", None),  # a comparison: not one period
    ("what did the board decide?", None),
])
def test_asked_period(question, period):
    assert asked_period(question) == period


def test_after_scope_only_for_what_happened_after_the_last_meeting():
    last = date(2023, 3, 16)
    assert after_scope("what rating did Ofsted give in 2024?", last)
    assert after_scope("what did the report to SB2 in 2023/24 find?", last)  # 2023/24 starts in April
    assert not after_scope("which items were added to the 2023/24 work programme?", last)  # a plan
    assert not after_scope("what was planned for 2024?", last)
    assert not after_scope("what happened in 2022?", last)
    assert not after_scope("what did the 2022/23 report find?", last)
    assert not after_scope("what rating in 2024?", None)


@pytest.mark.parametrize("question, kind", [
    ("how many social workers were there?", "figure"),
    ("what proportion of social workers are women?", "figure"),
    ("how much have library budgets been cut?", "money"),
    ("what starting salary does Coventry offer?", "money"),
    ("how much had referrals risen by autumn 2020?", "figure"),
    ("who is the principal social worker?", None),
    ("what did the board decide about the budget?", None),
])
def test_expected_type(question, kind):
    assert expected_type(question) == kind


@pytest.mark.parametrize("kind, sentence, ok", [
    ("figure", "The number of social workers has increased to 328.", True),
    ("figure", "There are eight Family Hubs.", True),
    ("figure", "It was discussed at the meeting on 28 November 2019.", False),  # a date is not a count
    ("figure", "Recommendation 1 – the focus on children's views.", False),  # a label is not a count
    ("figure", "Minute 25 asked for more work in 2019/20.", False),
    ("money", "The budget was cut by £1.2m.", True),
    ("money", "Contributions were 150,000 from the council.", True),
    ("money", "78% of funding is provided by the council.", True),
    ("money", "58 newly qualified social workers started.", False),  # a count is not a sum
    ("figure", "A pilot called 'Ask Jan' (a 24/7 telephone counselling service) was undertaken.", False),
    ("figure", "Support for up to 25 year old care leavers went live.", False),  # an age describes
    ("figure", "No of children 0-5 years No of young people aged 16-19", False),
    ("figure", "A further 12 Newly Qualified Social Workers (Cohort 7) would start.", True),  # 12 counts, 7 labels
    ("figure", "Cohort 7 would commence on 25 January 2021.", False),
    (None, "Anything at all.", True),
])
def test_has_answer_type(kind, sentence, ok):
    assert has_answer_type(kind, sentence) is ok


def test_numbers_the_question_states_are_not_its_answer():
    q = "how many 16 and 17 year olds presented as homeless in 2022?"
    assert given_numbers(q) == {"16", "17", "2022"}
    assert not answer_type_ok(q, ["The response to children aged 16 and 17 who are homeless."])
    assert not answer_type_ok(q, ["Recommendation 2 – the response to 16 and 17 year olds."])
    assert answer_type_ok(q, ["41 young people aged 16 and 17 presented as homeless."])
    assert has_answer_type("figure", "Cohort 8 started.", given_numbers("how many started in cohort 8?")) is False


@pytest.mark.parametrize("question, when", [
    ("what did the board resolve about the task group at its 3 December 2020 meeting?", date(2020, 12, 3)),
    ("which councillor declared an interest at the 6 April 2017 meeting?", date(2017, 4, 6)),
    ("what did the meeting on 12th October 2017 conclude?", date(2017, 10, 12)),
    ("what is on the scrutiny work programme for 13 February 2020?", None),  # no meeting named
    ("what was planned for the 3 December 2020 meeting?", None),  # a plan: the work programme answers it
    ("what happened to the figures published on 6 April 2017 before the meeting in May?", None),  # not its date
])
def test_meeting_asked(question, when):
    assert meeting_asked(question) == when


def test_periods():
    assert periods("in the spring term of 2023, Autumn term 2022, Sept. 2019 and 28 March 2021") == {
        ("spring", "2023"), ("autumn", "2022"), ("sep", "2019"), ("mar", "2021")}
    assert periods("in 2019/20 and on 3rd May") == set()


def test_figures_for_other_periods_do_not_answer():
    q = "how many contacts did children's services receive in February 2020?"
    jan21, nov19 = date(2021, 1, 28), date(2019, 11, 28)
    april = ("1582 contacts were received in April 2020 (2110 in April 2019).", jan21)
    assert other_period(q, [april]) == "feb 2020"
    assert other_period(q, [april, ("Contacts in February 2020 were 2,400.", jan21)]) is None
    assert other_period(q, [april, ("Contacts rose to 2,400.", jan21)]) is None  # undated: cannot tell
    assert other_period(q, [april, ("The service is under pressure.", jan21)]) == "feb 2020"  # no figure
    # stated at that month's meeting without its date: "by November 2019"
    q = "how many NQSWs had the academy taken on by November 2019?"
    assert other_period(q, [("58 NQSWs have started since July 2018.", nov19)]) is None
    assert other_period(q, [("58 NQSWs have started since July 2018.", jan21)]) == "nov 2019"
    assert other_period("who chaired the board in March 2021?", [("In May 2020, 3 members.", jan21)]) is None


def test_answer_type_ok_needs_one_sentence_of_the_kind():
    q = "how many NQSWs had started at the academy?"
    assert answer_type_ok(q, ["The academy is good.", "58 NQSWs have started."])
    assert not answer_type_ok(q, ["The academy will manage a staggered cohort of NQSWs."])
    assert answer_type_ok("who chairs the board?", ["Councillor Smith."])


@dataclass
class P:
    text: str
    meeting_date: date
    path: str = "pack.md"
    span: tuple[int, int] = (0, 0)


def test_time_supported_by_text_caption_or_meeting_year():
    idf = Idf(["foster carers recruited", "library visitors", "social workers"])
    source = "Table 3: visitors 2018-19\n" + "x" * 10 + "Central Library had 1.2m visitors."
    in_table = P("Central Library had 1.2m visitors.", date(2017, 1, 1), span=(36, 70))
    q = "how many visitors did the library get in 2018-19?"
    assert time_supported(q, [in_table], lambda p: source, [], idf)  # the caption just before it
    reported_next_year = P("Library visitors rose.", date(2020, 1, 9))
    assert time_supported(q, [reported_next_year], lambda p: "", [], idf)  # 2018-19's figures, in 2020
    old = P("Library visitors rose.", date(2017, 4, 27))
    assert not time_supported(q, [old], lambda p: "", [], idf)
    assert time_supported("how many library visitors?", [old], lambda p: "", [], idf)  # no year asked
    q2 = "how many foster carers were recruited in 2022?"
    off_subject = P("Social workers in 2022.", date(2022, 6, 1))
    assert not time_supported(q2, [off_subject], lambda p: "", content_words("foster carers recruited"), idf)


def test_a_financial_years_budget_is_set_before_it_starts():
    last = date(2025, 3, 5)
    assert not after_scope("What is the band D council tax for the County Council's services in 2025/26?", last)
    assert not after_scope("What did the council resolve about the council tax base for 2025/26?", last)
    assert after_scope("What did the report to the committee in 2025/26 find?", last)  # what happened in it
    assert after_scope("What is the council tax for 2027/28?", last)  # more than a year after the papers
