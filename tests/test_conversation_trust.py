"""A conversation people trust: a what-if never rewrites the saved profile, a question inside
the questionnaire is answered and not taken as an answer, commands mid-way come back to the
step, and in a group nothing personal is shown or changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Event, Outcome, Session
from ptcc_core.profile import Profile

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SAVED = Profile(years=6.5, education="bachelor", location="Boston, MA")


def turn(
    advisor: Advisor, session: Session, value: str, kind: str = "text", private: bool = True
) -> Outcome:
    stored = Session.model_validate_json(session.model_dump_json())
    event = Event(kind=kind, value=value, at=NOW, private=private)  # type: ignore[arg-type]
    return advisor.handle(stored, event)


def saved_session(advisor: Advisor) -> Session:
    """A user who finished the questionnaire once: profile and one estimate kept."""
    session = turn(advisor, Session(), "estimate", "command").session
    for answer in ("6.5 years", "bachelor's", "none", "Boston", "skip", "none"):
        session = turn(advisor, session, answer).session
    assert session.step is None and session.profile.years == 6.5
    assert len(session.estimates) == 1
    return session


def in_questionnaire(advisor: Advisor, at_step: str) -> Session:
    session = turn(advisor, Session(), "estimate", "command").session
    answers = {"years": "5 years", "education": "bachelor's", "certifications": "none"}
    for step, answer in answers.items():
        if session.step == at_step:
            break
        assert session.step == step
        session = turn(advisor, session, answer).session
    assert session.step == at_step
    return session


# What-ifs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "I have 10 years and an associate's in SF what would I make",
        "entry level pay in nyc",
        "what is the pay in Boston with 4 years and a CMAA? also do hospitals pay more?",
        "what would I earn at a hospital with 2 years",
    ],
)
def test_a_question_with_details_leaves_the_saved_profile_alone(
    advisor: Advisor, question: str
) -> None:
    session = saved_session(advisor)
    asked = turn(advisor, session, question)
    assert asked.session.profile == session.profile
    assert asked.session.estimates == session.estimates


def test_a_what_if_says_what_it_assumed_and_offers_to_save(advisor: Advisor) -> None:
    session = saved_session(advisor)
    asked = turn(advisor, session, "what would I make in San Francisco with 10 years?")
    reply = asked.replies[0]
    assert reply.estimate is not None
    assert reply.estimate.profile.education == "bachelor"  # kept from the saved profile
    assert "Assumed: from your message, 10 years, San Francisco" in reply.text
    assert "from your profile, Bachelor" in reply.text
    assert "saved profile is unchanged" in reply.text
    save = next(c for c in reply.choices if c.value.startswith("save:"))
    saved = turn(advisor, asked.session, save.value, "choice")
    assert saved.session.profile == reply.estimate.profile
    assert saved.session.pending_save is None
    assert saved.session.estimates[-1].mid == reply.estimate.mid
    assert saved.replies[0].text.startswith("Saved to your profile.")
    again = turn(advisor, saved.session, save.value, "choice")
    assert again.session == saved.session and "not the latest" in again.replies[0].text


def test_typing_save_saves_the_last_what_if(advisor: Advisor) -> None:
    asked = turn(
        advisor, Session(), "I have 5 years and a bachelor's, what would I make in Dallas?"
    )
    assert asked.session.profile == Profile()
    saved = turn(advisor, asked.session, "save")
    assert saved.session.profile.years == 5 and saved.session.profile.location == "Dallas"
    nothing = turn(advisor, saved.session, "save")
    assert "nothing new to save" in nothing.replies[0].text
    assert nothing.session == saved.session


def test_a_stale_save_button_saves_nothing(advisor: Advisor) -> None:
    first = turn(advisor, Session(), "what would I make in Dallas with 5 years?")
    old_save = next(c.value for c in first.replies[0].choices if c.value.startswith("save:"))
    second = turn(advisor, first.session, "and in boston?")
    pressed = turn(advisor, second.session, old_save, "choice")
    assert pressed.session.profile == Profile()


def test_the_same_estimate_is_not_kept_twice(advisor: Advisor) -> None:
    session = saved_session(advisor)
    for question in ("how do I negotiate my salary", "what's my estimate", "what would I make?"):
        session = turn(advisor, session, question).session
    assert len(session.estimates) == 1


# Inside the questionnaire -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "question"),
    [
        ("location", "how much more do they pay in san francisco?"),
        ("location", "is Boston better paid than Dallas"),
        ("education", "do I need a bachelor's degree?"),
        ("years", "how do years of experience change pay?"),
        ("certifications", "what is the CMAA exam like?"),
    ],
)
def test_a_question_that_names_a_choice_is_answered_not_stored(
    advisor: Advisor, step: str, question: str
) -> None:
    session = in_questionnaire(advisor, step)
    asked = turn(advisor, session, question)
    assert asked.session.step == step
    assert asked.session.draft == session.draft
    assert len(asked.replies) == 2 and asked.replies[-1].kind == "question"
    assert asked.replies[0].kind != "question"


def test_a_question_at_the_employer_step_is_answered(advisor: Advisor) -> None:
    session = in_questionnaire(advisor, "location")
    session = turn(advisor, session, "Denver").session
    assert session.step == "employer"
    asked = turn(advisor, session, "what's the difference between a private clinic and a hospital?")
    assert (
        asked.session.step == "employer" and "employer" not in asked.session.draft.model_fields_set
    )


@pytest.mark.parametrize(("step", "answer"), [("location", "boston?"), ("years", "about 5 years?")])
def test_a_short_answer_with_a_question_mark_is_still_an_answer(
    advisor: Advisor, step: str, answer: str
) -> None:
    session = in_questionnaire(advisor, step)
    answered = turn(advisor, session, answer)
    assert step in answered.session.draft.model_fields_set


def test_an_answer_is_echoed(advisor: Advisor) -> None:
    session = in_questionnaire(advisor, "location")
    answered = turn(advisor, session, "san francisco")
    assert answered.replies[0].text.startswith("Got it: San Francisco")
    assert answered.session.step == "employer"


def test_a_later_answer_given_early_is_kept_and_the_step_asked_again(advisor: Advisor) -> None:
    session = in_questionnaire(advisor, "years")
    told = turn(advisor, session, "I work in Boston")
    assert told.session.step == "years" and told.session.draft.location == "Boston, MA"
    assert told.replies[0].text.startswith("Got it: Boston")
    session = told.session
    for answer in ("5", "bachelor's", "none"):
        session = turn(advisor, session, answer).session
    assert session.step == "employer"  # the location step is skipped: already answered


@pytest.mark.parametrize("command", ["profile", "help", "topics"])
def test_a_command_mid_way_answers_then_returns_to_the_step(advisor: Advisor, command: str) -> None:
    session = in_questionnaire(advisor, "certifications")
    done = turn(advisor, session, command, "command")
    assert done.session == session
    assert done.replies[-1].kind == "question"
    assert "certifications" in done.replies[-1].text.lower()


def test_profile_mid_way_shows_the_answers_so_far(advisor: Advisor) -> None:
    session = in_questionnaire(advisor, "certifications")
    shown = turn(advisor, session, "profile", "command").replies[0]
    assert "answers so far" in shown.text and "5 years" in shown.text
    assert not shown.choices  # changing saved answers waits until the questionnaire ends


def test_button_presses_replace_their_message(advisor: Advisor) -> None:
    session = in_questionnaire(advisor, "certifications")
    ticked = turn(advisor, session, "ans:certifications:CMAA", "choice")
    assert ticked.replaces and ticked.replies[0].choices[0].label.startswith("✔")
    done = turn(advisor, ticked.session, "nav:done", "choice")
    assert done.replaces and done.replies[0].text.startswith("Got it: CMAA")
    stale = turn(advisor, done.session, "ans:years:4", "choice")
    assert not stale.replaces and stale.session == done.session


# Groups ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["profile", "estimate", "offer", "compare", "forget"])
def test_a_personal_command_in_a_group_opens_the_private_chat(
    advisor: Advisor, command: str
) -> None:
    session = saved_session(advisor)
    done = turn(advisor, session, f"{command}@ptcc_bot", "command", private=False)
    assert done.session == session and not done.forget
    reply = done.replies[0]
    assert [c.value for c in reply.choices] == [f"open:{command}"]
    assert "$" not in reply.text and "Boston" not in reply.text


def test_a_group_question_is_read_without_the_profile_and_leaves_flows_alone(
    advisor: Advisor,
) -> None:
    session = in_questionnaire(advisor, "location")
    asked = turn(advisor, session, "what do coordinators do?", private=False)
    assert asked.session == session
    assert len(asked.replies) == 1 and asked.replies[0].kind == "answer"
    estimate = turn(advisor, saved_session(advisor), "what would I make?", private=False)
    public = ("menu:", "sec:", "topic:", "entry:", "go:topics", "go:ask", "open:")
    assert all(c.value.startswith(public) for c in estimate.replies[0].choices)
    assert "Bachelor" not in estimate.replies[0].text


def test_a_deep_link_starts_its_flow_in_private(advisor: Advisor) -> None:
    started = turn(advisor, Session(), "start estimate", "command")
    assert started.session.step == "years"
    offer = turn(advisor, Session(), "start offer", "command")
    assert offer.session.offer_step == "base"
