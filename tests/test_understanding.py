"""Understanding: the asks the article cannot meet are declined with their reason, natural
wordings of the ones it can are answered, and feelings, Spanish and places abroad are met as
a person would meet them. The questions are the ones users were seen to ask."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Event, Reply, Session
from ptcc_core.profile import Profile
from ptcc_core.text import asking_part

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "question",
    [
        "are clinics hiring right now?",
        "how long does it take to get certified?",
        "is 45k a good offer?",
        "what's the fee for the CMAA exam",
        "which funds should I pick for my 401k",
        "is Select Medical hiring?",
        "can you reschedule my appointment",
        "my dad's pt appointment was cancelled, can you rebook it",
        "restaurants in boston",
        "hourly pay at Select Medical in Tampa right now",
    ],
)
def test_near_topic_asks_the_article_cannot_answer_are_declined(
    advisor: Advisor, question: str
) -> None:
    reply = advisor.answer(question)
    assert not reply.matched, reply.text
    assert reply.estimate is None


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("which funds should I pick for my 401k", "no advice on how to invest"),
        ("is rent crazy in boston", "cost of living"),
        ("what time is my physical therapy appointment tomorrow", "your own appoin"),
    ],
)
def test_a_decline_close_to_a_known_one_gives_its_reason(
    advisor: Advisor, question: str, says: str
) -> None:
    assert says in advisor.answer(question).text


def test_a_reason_that_would_not_fit_is_not_given(advisor: Advisor) -> None:
    reason_texts = {group.reason for group in advisor.knowledge.unanswerable}
    reply = advisor.answer("who gives the CMAA")
    assert not any(reason in reply.text for reason in reason_texts) or reply.matched


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("pay?", "$40,000"),
        ("how much do medical secretaries make", "39,740"),
        ("what do coordinators do?", "insurance"),
        # Overviews state what their parts add: why a certificate pays, each setting's pay.
        ("how come certified people get paid more", "training"),
        ("do hospitals or private practices pay coordinators more", "$45,000 to $50,000"),
        ("what time does the example coordinator get to work", "8:00 AM"),
    ],
)
def test_natural_wordings_get_the_fact_they_ask_for(
    advisor: Advisor, question: str, fact: str
) -> None:
    reply = advisor.answer(question)
    assert reply.matched and fact in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "my son wants to be a coordinator, what skills does he need",
        "my daughter is thinking about this job, is there room to grow",
    ],
)
def test_a_parent_asking_for_their_child_is_answered(advisor: Advisor, question: str) -> None:
    assert advisor.answer(question).matched


def test_how_to_negotiate_is_not_an_estimate(advisor: Advisor) -> None:
    assert advisor.answer("how do I negotiate my salary").estimate is None


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("is a 4 year degree worth it for this role", None),
        ("if i do 4 yrs of college what kinda starting pay", None),
        ("i have a 2-year degree and 3 years experience in boston", 3.0),
        ("2 years in school then 3 years at a clinic", 3.0),
        # A rate of pay ("41k a year") is not a year of experience either.
        ("what do coordinators earn a year on average", None),
        ("i make 41k a year at a private clinic", None),
        ("i have a year of experience at a hospital", 1.0),
        ("they pay 50000 a year, and i have 6 years", 6.0),
    ],
)
def test_a_length_of_schooling_or_a_rate_of_pay_is_not_experience(
    advisor: Advisor, text: str, years: float | None
) -> None:
    assert advisor.extractor.extract(text).years == years


@pytest.mark.parametrize(
    "text",
    [
        "my nephew just graduated with an associate degree, what would he start at",
        "new hire at a hospital system, what's a typical starting salary",
        "she wants to start as a coordinator after her GED, what would she earn",
        "only a ged so far, what would i probably start at in a pt office",
        "had a phone screen with a private clinic, what do you think they'd start me at",
    ],
)
def test_someone_just_starting_out_is_estimated_at_entry_level(advisor: Advisor, text: str) -> None:
    assert advisor.extractor.extract(text).years == 0.0
    assert advisor.answer(text).estimate is not None


def test_whether_a_degree_is_worth_it_is_a_question_not_an_estimate(advisor: Advisor) -> None:
    reply = advisor.answer("is a 4 year degree worth it for this role or a waste of money")
    assert reply.estimate is None and reply.entry_id is not None


@pytest.mark.parametrize(
    "text",
    [
        "after 15 years with a hospital system how big is the pension",
        "how much is the ce allowance for someone with a cmaa and 2 years",
        "i have 8 years at a hospital, do they give profit sharing",
        "with an associate's and 2 years, how much does the cmaa exam cost",
        "i'm in ohio with an associate's, which community college has a good program",
        "how much pto would i get at a hospital in denver",
    ],
)
def test_a_benefit_asked_with_profile_details_is_not_an_estimate(
    advisor: Advisor, text: str
) -> None:
    assert advisor.answer(text).estimate is None


def test_a_benefit_question_that_asks_for_my_pay_is_still_estimated(advisor: Advisor) -> None:
    reply = advisor.answer("6 years at a hospital with a cmaa, what would i make with the 401k")
    assert reply.estimate is not None


@pytest.mark.parametrize(
    "text",
    [
        "fresher, 12th pass, front office at a physio clinic in rural Georgia. what salary i will get",
        "associate's in medical office admin, starting at a private clinic, what's fair",
        "new grad with a bachelors, moving to seattle, what would i start at",
        "i earn 44k in a mid-size town. same job in boston, what would they pay me",
        "7 yrs at a private clinic, handle all the billing. fair pay?",
        "wrapping up my bachelors in business. what would my first coordinator job pay",
        "5 years, thinking about boston. what wud i get there",
        "my daughter has an associate degree, moving to New York. what would she make?",
        "3 years in with a CMAA, what would I realistically earn",
        "new coordinator at a private clinic, what should my starting pay be",
        "eight years running the front desk at a hospital rehab unit, what's my market value",
        "i make 44k as a coordinator in a small city, we're moving to Seattle. what would the same job pay me there",
        "typical experience, relocating to washington dc for a coordinator role. rough pay?",
        "about at the national median now, what would a job in san francisco pay me",
    ],
)
def test_profiles_worded_in_other_ways_are_estimated(advisor: Advisor, text: str) -> None:
    assert advisor.answer(text).estimate is not None


def test_a_profile_at_a_named_chain_is_still_estimated(advisor: Advisor) -> None:
    reply = advisor.answer("I work for Select Medical in NYC, five years, associate's degree")
    assert reply.estimate is not None


@pytest.mark.parametrize(
    ("message", "says"),
    [("I'm nervous about my first day", "normal"), ("I got the job!", "Congratulations")],
)
def test_feelings_and_news_get_a_kind_reply_not_an_entry(
    advisor: Advisor, message: str, says: str
) -> None:
    reply = advisor.answer(message)
    assert reply.kind == "small_talk" and says in reply.text
    assert any(c.value.startswith("entry:") for c in reply.choices)


def test_spanish_gets_a_short_reply_in_spanish(advisor: Advisor) -> None:
    reply = advisor.answer("¿Cuánto gana un coordinador de terapia física?")
    assert "solo hablo inglés" in reply.text and len(reply.text) < 300


def test_english_is_not_taken_for_spanish(advisor: Advisor) -> None:
    assert "inglés" not in advisor.answer("what does the coordinator do at the front desk").text
    # A Spanish phrase in an English question: the question is English.
    reply = advisor.answer("como se dice... what is the national average pay for this job")
    assert "inglés" not in reply.text
    assert "solo hablo inglés" in advisor.answer("cuanto gana un coordinador en Texas").text


@pytest.mark.parametrize(
    "question",
    [
        "pt coordinator salary 2026",
        "what's the projected job growth to 2035",
        "will the growth keep going after 2032",
    ],
)
def test_a_year_the_article_has_no_figures_for_is_declined_saying_so(
    advisor: Advisor, question: str
) -> None:
    reply = advisor.answer(question)
    assert not reply.matched and "2022 to early 2024" in reply.text


def test_what_the_people_in_its_stories_earn_is_declined_saying_so(advisor: Advisor) -> None:
    reply = advisor.answer("how much does alex make in the example")
    assert not reply.matched and "Maria and Alex" in reply.text
    assert advisor.answer("who is maria").entry_id == "role_maria_story"


_CITIES_WITH_FIGURES = "only for San Francisco, New York, Boston and Washington, D.C."


@pytest.mark.parametrize(
    ("question", "declined", "says"),
    [
        # Pay in a place the article never names: where it has figures.
        ("what do coordinators earn in Portland", "place", _CITIES_WITH_FIGURES),
        ("salary for this job in atlanta?", "place", _CITIES_WITH_FIGURES),
        # A year a dated figure is not for: the year it is for.
        ("the bls median wage for 2024?", "period", "for 2022 only"),
        ("medical secretaries median pay per the bls in 2023", "period", "for 2022 only"),
        ("what's the projected job growth rate for 2024", "period", "for 2022 to 2032 only"),
    ],
)
def test_a_figure_the_article_does_not_give_is_declined_saying_which_it_gives(
    advisor: Advisor, question: str, declined: str, says: str
) -> None:
    reply = advisor.answer(question)
    assert not reply.matched and reply.declined == declined
    assert says in reply.text


def test_a_place_the_article_never_names_still_gets_an_estimate_or_a_comparison(
    advisor: Advisor,
) -> None:
    estimate = advisor.answer("4 years of experience, moving to Portland. What would I make?")
    assert estimate.estimate is not None and "no figure for Portland" in estimate.text
    assert advisor.matcher.match("is pay better in atlanta or in boston").scope_problem is None


def test_the_years_the_article_covers_and_amounts_are_not_a_period(advisor: Advisor) -> None:
    assert advisor.answer("job growth from 2022 to 2032?").entry_id == "outlook_growth"
    assert advisor.matcher.match("is a 2000 dollar bonus normal").scope_problem is None


def test_a_dated_figure_asked_for_its_own_year_is_answered(advisor: Advisor) -> None:
    assert advisor.answer("bls median for medical secretaries in may 2022").entry_id == "source_bls"


@pytest.mark.parametrize(
    "question",
    [
        "what's tuition for an associate degree at a community college",
        "how much does a CEHRS prep course cost at a community college",
        "cheapest way to get certified",
    ],
)
def test_a_price_is_declined_saying_the_article_gives_none(advisor: Advisor, question: str) -> None:
    reply = advisor.answer(question)
    assert not reply.matched and reply.estimate is None and "no prices" in reply.text


def test_a_benefit_or_a_city_that_sounds_like_a_price_is_not_one(advisor: Advisor) -> None:
    for question in (
        "do hospitals offer tuition reimbursement",
        "doesn't the cost of living in SF cancel out the higher pay",
        "do corporate chains pay more in expensive cities",
    ):
        assert advisor.matcher.match(question).scope_problem is None, question


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        (
            "I spent six years running a dentist's front desk. Which soft skills would help me most in this career?",
            "soft_skills_overview",
        ),
        (
            "Quick background: I'm a stay-at-home parent going back to work. What is the typical yearly pay nationally for a PT care coordinator?",
            "salary_headline",
        ),
        (
            "Got offered a job in San Francisco. Do coordinators really earn more there?",
            "loc_san_francisco",
        ),
    ],
)
def test_a_question_after_context_is_matched_by_what_it_asks(
    advisor: Advisor, message: str, entry: str
) -> None:
    """Context before an ask can bury it (ranked alone, the ask fits) or name its topic
    (ranked alone, "there" means nothing): the reading that fits better wins."""
    assert advisor.answer(message).entry_id == entry


def test_the_asking_part_is_the_sentences_that_ask() -> None:
    context = "I worked retail for ten years. What skills would carry over into this job?"
    assert asking_part(context) == "What skills would carry over into this job?"
    assert asking_part("I heard they make 60k. Is that true?") is None  # leans on its context
    assert asking_part("Moving to Boston soon. What do coordinators make there?") is None
    assert asking_part("What do they do? And what do they earn?") is None  # every sentence asks
    assert asking_part("what do coordinators do") is None


def test_context_before_an_estimate_ask_does_not_change_the_ask(advisor: Advisor) -> None:
    """The sentence that asks decides what kind of ask it is; the rest is context."""
    asked = (
        "I have 2 years of experience and an interview at a clinic in Denver. What would they pay?"
    )
    assert advisor.answer(asked).estimate is not None
    assert advisor.answer("I have 2 years. How do I negotiate my salary?").estimate is None


def test_a_place_abroad_gets_no_estimate(advisor: Advisor) -> None:
    reply = advisor.answer("what would I earn in Toronto with 5 years")
    assert reply.estimate is None and "United States" in reply.text


# Context: follow-ups read against the last reply, and messages with several asks --------


def talk(advisor: Advisor, *messages: str) -> tuple[Session, list[Reply]]:
    session, replies = Session(), []
    for message in messages:
        stored = Session.model_validate_json(session.model_dump_json())
        outcome = advisor.handle(stored, Event(kind="text", value=message, at=NOW))
        session = outcome.session
        replies.append(outcome.replies[0])
    return session, replies


def test_a_what_if_after_an_estimate_changes_one_thing_and_keeps_the_profile(
    advisor: Advisor,
) -> None:
    session, replies = talk(
        advisor,
        "I have 5 years and a bachelor's, what would I make in Dallas?",
        "and in boston?",
        "what about with a CMAA?",
        "with 3 more years?",
    )
    first, boston, cmaa, later = (r.estimate for r in replies)
    assert first and boston and cmaa and later
    assert boston.profile.location == "Boston, MA" and boston.mid > first.mid
    assert cmaa.profile.certifications == ("CMAA",) and cmaa.profile.location == "Boston, MA"
    assert later.profile.years == 8 and later.mid > cmaa.mid
    assert all("saved profile is unchanged" in r.text for r in replies)
    assert session.profile == Profile() and not session.estimates
    assert session.pending_save == later.profile


def test_a_question_after_an_estimate_is_not_a_what_if(advisor: Advisor) -> None:
    _, replies = talk(advisor, "I have 5 years, what would I make in Dallas?", "what is the CMAA")
    assert replies[1].estimate is None and "National Healthcareer Association" in replies[1].text


def test_a_bare_follow_up_stays_on_the_topic(advisor: Advisor) -> None:
    _, replies = talk(advisor, "what is the CMAA", "how much?")
    last = advisor.knowledge.entries["cert_cmaa"]
    assert replies[1].kind == "answer" and replies[1].entry_id in last.related


def test_two_asks_in_one_message_get_both_answers_briefly(advisor: Advisor) -> None:
    reply = advisor.answer("what's the pay in NYC and do I need a degree?")
    assert reply.matched and "20% to 30%" in reply.text and "high school diploma" in reply.text
    assert len(reply.text) <= 1200


def test_a_question_inside_the_questionnaire_is_answered_not_stored(advisor: Advisor) -> None:
    session = advisor.handle(Session(), Event(kind="command", value="/estimate", at=NOW)).session
    for answer in ("5 years", "bachelor's", "none"):
        session = advisor.handle(session, Event(kind="text", value=answer, at=NOW)).session
    assert session.step == "location"
    asked = advisor.handle(
        session, Event(kind="text", value="how much more do they pay in san francisco?", at=NOW)
    )
    assert (
        asked.session.step == "location" and "location" not in asked.session.draft.model_fields_set
    )
    assert asked.replies[0].kind == "answer" and "25%" in asked.replies[0].text
    answered = advisor.handle(asked.session, Event(kind="text", value="boston", at=NOW))
    assert answered.session.draft.location == "Boston, MA"


def test_an_idiom_is_not_taken_for_medical_advice(advisor: Advisor) -> None:
    reply = advisor.answer("as a total beginner will someone be watching over my shoulder")
    assert "medical advice" not in reply.text


def test_a_place_abroad_in_the_questionnaire_is_asked_again(advisor: Advisor) -> None:
    session = advisor.handle(Session(), Event(kind="command", value="/estimate", at=NOW)).session
    for answer in ("5 years", "bachelor's", "none"):
        session = advisor.handle(session, Event(kind="text", value=answer, at=NOW)).session
    abroad = advisor.handle(session, Event(kind="text", value="Toronto", at=NOW))
    assert "United States" in abroad.replies[0].text
    assert abroad.session.step == "location" and abroad.session.draft.location is None
