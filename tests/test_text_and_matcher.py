"""Normalisation of what users type, and the matcher's choices and refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptcc_core.advisor import Advisor
from ptcc_core.text import find_phrases, normalize, phrase_table


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("What about NYC?", "what about new york city"),
        ("401(k) match", "401k match"),
        ("403 (b)", "403b"),
        ("$45k in D.C.", "45000 in dc"),
        ("Salary: $45,160/yr", "salary 45160 year"),
        ("25–35% higher", "25 35 percent higher"),
        ("I’m in SF w/ 5 yrs", "im in san francisco with 5 years"),
        ("salery for a cordinator", "salary for a coordinator"),
        ("zero\u200bwidth", "zerowidth"),
        ("what % of profits", "what percent of profits"),
        ("physio clinic sal", "physical therapy clinic salary"),
    ],
)
def test_normalize_meets_users_halfway(typed: str, normalized: str) -> None:
    assert normalize(typed) == normalized


def test_words_are_stemmed_by_pystemmer_s_compiled_stemmer(advisor: Advisor) -> None:
    """snowballstemmer falls back to pure Python when PyStemmer is missing: same stems, slower
    start-up."""
    analyzer = advisor.matcher._analyzer
    assert type(analyzer._stemmer).__module__ == "Stemmer"
    assert analyzer.terms("coordinators scheduling appointments") == [
        "coordin",
        "schedul",
        "appoint",
    ]


def test_find_phrases_prefers_the_longest_phrase() -> None:
    table = phrase_table([("New York", "ny"), ("New York City", "nyc"), ("York", "york")])
    assert find_phrases("pay in new york city now", table) == [(2, "nyc")]


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_normalize_and_match_never_fail(advisor: Advisor, text: str) -> None:
    normalized = normalize(text)
    assert normalized == normalized.strip()
    result = advisor.matcher.match(text)
    assert 0 <= result.score <= 100
    assert advisor.matcher.model is not None
    assert (result.entry_id is None) or result.confidence >= advisor.matcher.model.answer_at


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("what are the main duties of a pt care coordinator", "duties_overview"),
        ("how much more do you make in boston", "loc_boston"),
        ("salery in nyc??", "loc_new_york"),
        ("wat is a CMAA", "cert_cmaa"),
        ("401k match rule", {"comp_retirement", "comp_match_example"}),
        ("what does glassdoor say", "source_glassdoor"),
        ("job outlook for coordinators", "outlook_growth"),
        # "Cheaper" places and diagnosis codes are the article's, not a price or medical advice.
        ("how much lower is pay in cheaper rural towns", "loc_lower_regions"),
        ("do coordinators have to know diagnosis codes", "skill_billing_coding"),
        # Pay asked plainly is the headline ("salaried" is how pay is structured, not how
        # much); "earn more" asks for the ways to raise it.
        ("salary for this job?", "salary_headline"),
        ("what do patient care coordinators make", "salary_headline"),
        ("how could a coordinator earn more", "career_raise_salary"),
    ],
)
def test_typical_questions_reach_their_entry(
    advisor: Advisor, question: str, entry_id: str | set[str]
) -> None:
    expected = {entry_id} if isinstance(entry_id, str) else entry_id
    result = advisor.matcher.match(question)
    assert result.entry_id in expected, result


@pytest.mark.parametrize(
    "question",
    [
        "what does a physical therapist earn?",
        "tell me a joke",
        "how much do nurses make in boston",
        "what's the coordinator salary in Canada",
        "best pizza in chicago",
        "asdfghjkl qwerty",
        # A figure the article does not give for something it names.
        "how much is a typical ce allowance",
        "what % of the profits goes to the front desk",
    ],
)
def test_what_the_article_cannot_answer_gets_no_entry(advisor: Advisor, question: str) -> None:
    assert advisor.matcher.match(question).entry_id is None


def test_another_job_or_country_is_named_as_the_reason(advisor: Advisor) -> None:
    assert advisor.matcher.match("what does a physical therapist earn?").scope_problem == "role"
    assert advisor.matcher.match("coordinator pay in the UK").scope_problem == "country"
    # Therapists are part of the coordinator's own work: not another job here.
    assert advisor.matcher.match("who manages the therapists' schedules").scope_problem is None


def test_a_question_worded_as_the_knowledge_words_it_gets_that_entry(advisor: Advisor) -> None:
    """Whatever the model makes of it: an alternate an operator adds always takes effect."""
    owners: dict[str, set[str]] = {}
    for entry in advisor.knowledge.entries.values():
        for question in entry.questions:
            owners.setdefault(normalize(question), set()).add(entry.id)
    for group in advisor.knowledge.unanswerable:
        for question in group.questions:
            owners.setdefault(normalize(question), set()).add("unanswerable")
    wrong = [
        (question, ids)
        for question, ids in owners.items()
        if ids != {"unanswerable"}
        and len(ids) == 1
        and advisor.matcher.match(question).entry_id not in ids
    ]
    assert wrong == []


def test_alternatives_are_ranked_distinct_and_exclude_the_answer(advisor: Advisor) -> None:
    result = advisor.matcher.match("certification pay bump")
    ids = [c.entry_id for c in result.alternatives]
    assert len(ids) == len(set(ids))
    assert result.entry_id not in ids
    scores = [c.score for c in result.alternatives]
    assert scores == sorted(scores, reverse=True)


def test_a_vague_question_offers_suggestions_instead_of_guessing(advisor: Advisor) -> None:
    reply = advisor.answer("pay")
    assert reply.kind in ("unsure", "answer")
    if reply.kind == "unsure":
        assert reply.suggestions and all(
            c.entry_id in advisor.knowledge.entries for c in reply.suggestions
        )


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        ("how do I set up a report in Epic", "software"),
        ("how long does recovery from knee surgery take", "clinical"),
        ("do I need a license to do this in Ohio", "not_covered"),
        ("what does a nurse make in Boston", "role"),
        ("coordinator salary in Toronto", "country"),
    ],
)
def test_out_of_scope_questions_say_why(advisor: Advisor, question: str, problem: str) -> None:
    result = advisor.matcher.match(question)
    assert result.entry_id is None and result.scope_problem == problem


def test_a_comparison_gets_both_answers(advisor: Advisor) -> None:
    reply = advisor.answer("boston vs nyc, which pays more?")
    assert "15% to 25%" in reply.text and "20% to 30%" in reply.text
    assert reply.text.count("Source:") == 1
