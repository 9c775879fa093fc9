"""The advisor's replies to free text, and whole conversations through `Advisor.handle`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Event, Outcome, Reply, Session
from ptcc_core.profile import Profile

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def send(advisor: Advisor, session: Session, kind: str, value: str) -> Outcome:
    # Every turn goes through JSON, as it does through the store between messages.
    stored = Session.model_validate_json(session.model_dump_json())
    return advisor.handle(stored, Event(kind=kind, value=value, at=NOW))  # type: ignore[arg-type]


def values(reply: Reply) -> list[str]:
    return [c.value for c in reply.choices]


# Free text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["hi", "Hello there!", "good morning", "thanks!", "thank you so much", "help", "/help"]
)
def test_small_talk_gets_a_short_kind_answer(advisor: Advisor, text: str) -> None:
    reply = advisor.answer(text.lstrip("/"))
    assert reply.kind == "small_talk"
    assert not reply.matched
    assert len(reply.text) < 900
    assert "go:estimate" in values(reply)


def test_a_question_with_profile_details_gets_a_personal_estimate(advisor: Advisor) -> None:
    reply = advisor.answer("I have 5 years and a bachelor's, what would I make in Boston?")
    assert reply.kind == "estimate" and reply.estimate is not None
    profile = reply.estimate.profile
    assert (profile.years, profile.education, profile.location) == (5, "bachelor", "Boston, MA")
    assert "Boston" in reply.text and "$" in reply.text


def test_details_merge_with_the_stored_profile(advisor: Advisor) -> None:
    stored = Profile(years=10, education="associate", certifications=("CMAA",))
    reply = advisor.answer("what would I earn in NYC?", stored)
    assert reply.estimate is not None
    merged = reply.estimate.profile
    assert (merged.years, merged.education, merged.certifications) == (10, "associate", ("CMAA",))
    assert merged.location == "New York, NY"


def test_third_person_questions_with_numbers_stay_knowledge_questions(advisor: Advisor) -> None:
    reply = advisor.answer("what do coordinators with 5 years of experience make")
    assert reply.kind == "answer"


def test_out_of_scope_is_honest(advisor: Advisor) -> None:
    reply = advisor.answer("what does a physical therapist earn?")
    assert reply.kind == "fallback" and not reply.matched
    assert "other jobs" in reply.text


def test_answers_are_sourced_and_chat_sized(advisor: Advisor) -> None:
    reply = advisor.answer("what does a coordinator do?")
    assert reply.matched and reply.entry_id
    assert "Source: the article's section" in reply.text
    assert len(reply.text) <= 1200


def test_huge_and_strange_input_is_handled(advisor: Advisor) -> None:
    for text in ["<b>" * 2000, "\u202e\u200b" * 3000, "*_`[" * 1200, "", "   ", "🙂" * 5000]:
        reply = advisor.answer(text)
        assert reply.text


# Conversations --------------------------------------------------------------------------


def test_start_offers_the_three_ways_in(advisor: Advisor) -> None:
    outcome = send(advisor, Session(), "command", "start")
    assert values(outcome.replies[0]) == ["go:estimate", "go:ask", "go:topics"]


def test_questionnaire_by_buttons_ends_with_a_saved_estimate(advisor: Advisor) -> None:
    session = send(advisor, Session(), "command", "estimate").session
    assert session.step == "years"
    for value in [
        "ans:years:4",
        "ans:education:bachelor",
        "ans:certifications:CMAA",
        "nav:done",
        "ans:location:boston",
        "ans:employer:hospital",
        "ans:skills:emr",
        "nav:done",
    ]:
        outcome = send(advisor, session, "choice", value)
        session = outcome.session
    assert session.step is None
    estimate = outcome.replies[-1].estimate
    assert estimate is not None
    assert session.profile == estimate.profile
    assert session.profile.certifications == ("CMAA",) and session.profile.skills == ("emr",)
    assert len(session.estimates) == 1 and session.estimates[0].at == NOW


def test_questionnaire_by_typing_and_several_details_at_once(advisor: Advisor) -> None:
    session = send(advisor, Session(), "command", "estimate").session
    session = send(advisor, session, "text", "6 years, associate's, in Boston").session
    # Education and location were in the same message: the next question is certifications.
    assert session.step == "certifications"
    for text in ["none", "private practice", "none"]:
        outcome = send(advisor, session, "text", text)
        session = outcome.session
    assert session.step is None
    assert session.profile.location == "Boston, MA"
    assert session.profile.employer == "private_clinic"


def test_an_unreadable_answer_is_asked_again_with_a_hint(advisor: Advisor) -> None:
    session = send(advisor, Session(), "command", "estimate").session
    outcome = send(advisor, session, "text", "purple")
    assert outcome.session.step == "years"
    assert "couldn't read" in outcome.replies[0].text
    assert outcome.replies[-1].kind == "question"


def test_a_question_mid_questionnaire_is_answered_then_asked_again(advisor: Advisor) -> None:
    session = send(advisor, Session(), "command", "estimate").session
    session = send(advisor, session, "choice", "ans:years:4").session
    outcome = send(advisor, session, "text", "what is a CMAA?")
    assert outcome.replies[0].kind == "answer"
    assert outcome.replies[-1].kind == "question"
    assert outcome.session.step == "education"
    assert outcome.session.draft.years == 4


def test_back_skip_and_cancel(advisor: Advisor) -> None:
    session = send(advisor, Session(), "command", "estimate").session
    session = send(advisor, session, "choice", "ans:years:4").session
    session = send(advisor, session, "choice", "nav:back").session
    assert session.step == "years"
    session = send(advisor, session, "choice", "nav:skip").session
    assert session.step == "education"
    outcome = send(advisor, session, "choice", "nav:cancel")
    assert outcome.session.step is None
    assert outcome.session.profile == Profile()


def test_changing_one_answer_re_estimates_without_the_rest(advisor: Advisor) -> None:
    session = Session(profile=Profile(years=5, education="bachelor", location="Dallas"))
    first = send(advisor, session, "text", "what would I make?")
    session = first.session
    profile_reply = send(advisor, session, "command", "profile").replies[0]
    assert "edit:location" in values(profile_reply)
    session = send(advisor, session, "choice", "edit:location").session
    assert session.step == "location" and session.editing
    outcome = send(advisor, session, "text", "San Francisco")
    assert outcome.session.step is None
    assert outcome.session.profile.location == "San Francisco, CA"
    assert outcome.session.profile.years == 5
    assert len(outcome.session.estimates) == 2
    assert outcome.session.estimates[-1].mid > outcome.session.estimates[0].mid


def test_forget_needs_confirmation(advisor: Advisor) -> None:
    session = Session(profile=Profile(years=3))
    asked = send(advisor, session, "command", "forget")
    assert asked.session.confirming_forget and not asked.forget
    kept = send(advisor, asked.session, "choice", "forget:no")
    assert not kept.forget and kept.session.profile.years == 3
    gone = send(advisor, asked.session, "choice", "forget:yes")
    assert gone.forget and gone.session == Session()


@pytest.mark.parametrize(
    "value",
    [
        "ans:years:4",
        "entry:nope",
        "sec:nope",
        "zzz",
        "ans:education:phd",
        "forget:yes",
        "edit:salary",
    ],
)
def test_stale_or_forged_buttons_are_harmless(advisor: Advisor, value: str) -> None:
    outcome = send(advisor, Session(), "choice", value)
    assert outcome.session == Session()
    assert not outcome.forget
    assert outcome.replies


def test_topics_lead_to_entries_through_a_short_menu(advisor: Advisor) -> None:
    topics = send(advisor, Session(), "command", "topics").replies[0]
    assert 3 <= len(topics.choices) <= 6
    menu = send(advisor, Session(), "choice", topics.choices[0].value)
    assert menu.replaces
    section = send(advisor, Session(), "choice", menu.replies[0].choices[0].value)
    topic = next(c for c in section.replies[0].choices if c.value.startswith("topic:"))
    answer = send(advisor, Session(), "choice", topic.value)
    assert answer.replies[0].kind == "answer" and answer.replaces


def test_choice_values_fit_telegram_callback_data(advisor: Advisor, knowledge) -> None:
    replies = [send(advisor, Session(), "command", "topics").replies[0]]
    replies += [advisor.texts.menu(m) for m in knowledge.menus]
    replies += [advisor.texts.section(s.id) for s in knowledge.sections]
    for reply in replies:
        assert all(len(c.value.encode()) <= 64 for c in reply.choices)
