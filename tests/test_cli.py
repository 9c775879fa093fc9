"""The `ptcc` command end to end, in a subprocess: ask (plain, --json, --jsonl), estimate,
argument errors, knowledge check, and the terminal chat with its saved profile.

Every run gets its own HOME and PTCC_DB under tmp_path, so nothing touches the real home."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from ptcc_core.knowledge import default_dir
from ptcc_core.store import open_store

TIMEOUT = 60
CONTRACT_KEYS = {"question", "matched", "entry_id", "score", "answer", "suggestions", "estimate"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("XDG_DATA_HOME", "PTCC_DB") and not k.startswith("PYTEST")
    }
    environment.update(
        HOME=str(home),
        PTCC_DB=str(tmp_path / "ptcc.db"),
        USER="tester",
        LOGNAME="tester",
        PYTHONIOENCODING="utf-8",
    )
    return environment


def ptcc(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ptcc_core.cli", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=TIMEOUT,
    )


def check_contract(obj: dict[str, object]) -> None:
    """One object of the `ptcc ask --json` contract (../shared/eval/README.md)."""
    assert set(obj) == CONTRACT_KEYS
    assert isinstance(obj["question"], str)
    assert isinstance(obj["matched"], bool)
    assert obj["entry_id"] is None or isinstance(obj["entry_id"], str)
    score = obj["score"]
    assert isinstance(score, int | float) and not isinstance(score, bool)
    assert 0 <= score <= 100
    assert isinstance(obj["answer"], str) and obj["answer"].strip()
    suggestions = obj["suggestions"]
    assert isinstance(suggestions, list)
    for suggestion in suggestions:
        assert isinstance(suggestion, dict)
        assert set(suggestion) == {"entry_id", "title"}
        assert isinstance(suggestion["entry_id"], str) and suggestion["entry_id"]
        assert isinstance(suggestion["title"], str) and suggestion["title"]
    estimate = obj["estimate"]
    assert estimate is None or isinstance(estimate, dict)


# ptcc ask ----------------------------------------------------------------------------------


def test_ask_prints_a_plain_answer(env: dict[str, str]) -> None:
    run = ptcc(env, "ask", "what does a PT care coordinator do?")
    assert run.returncode == 0, run.stderr
    answer = run.stdout.strip()
    assert answer
    assert re.search(r"schedul|insurance", answer, re.IGNORECASE)
    assert not answer.startswith("{")  # text for a person, not JSON
    assert "<" not in answer and "**" not in answer  # no markup
    assert "Traceback" not in run.stderr


def test_ask_json_prints_one_contract_object(env: dict[str, str]) -> None:
    question = "what does a PT care coordinator do?"
    run = ptcc(env, "ask", "--json", question)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    check_contract(obj)
    assert obj["question"] == question
    assert obj["matched"] is True
    assert isinstance(obj["entry_id"], str)
    assert obj["estimate"] is None
    assert re.search(r"schedul|insurance", obj["answer"], re.IGNORECASE)
    assert obj["entry_id"] not in {s["entry_id"] for s in obj["suggestions"]}


def test_ask_json_with_profile_details_carries_the_estimate(env: dict[str, str]) -> None:
    run = ptcc(env, "ask", "--json", "I have 5 years and a bachelor's, what would I make in NYC?")
    assert run.returncode == 0, run.stderr
    obj = json.loads(run.stdout)
    check_contract(obj)
    assert obj["matched"] is True
    estimate = obj["estimate"]
    assert isinstance(estimate, dict)
    assert estimate["low"] <= estimate["mid"] <= estimate["high"]
    assert f"{estimate['low']:,}" in obj["answer"]


def test_ask_jsonl_answers_every_line_in_order(env: dict[str, str]) -> None:
    rng = random.Random(20261124)
    noise = "".join(rng.choice("<b>&amp;*_`[]!?#{}|~\\\"';:/.,") for _ in range(5000))
    questions = [
        "how much does a pt care coordinator make?",
        "recommend a movie for tonight",
        "I have 4 years and an associate degree, what would I make in Boston?",
        "",
        noise,
    ]
    run = ptcc(env, "ask", "--jsonl", stdin="\n".join(questions) + "\n")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stdout.split("\n")
    assert lines[-1] == ""  # output ends with a newline, and holds nothing else
    lines = lines[:-1]
    assert len(lines) == len(questions)
    replies = [json.loads(line) for line in lines]
    for question, reply in zip(questions, replies, strict=True):
        check_contract(reply)
        assert reply["question"] == question

    in_scope, movie, personal, blank, garbage = replies
    assert in_scope["matched"] is True and in_scope["entry_id"]
    assert "$" in in_scope["answer"]
    assert movie["matched"] is False and movie["entry_id"] is None and movie["estimate"] is None
    estimate = personal["estimate"]
    assert isinstance(estimate, dict)
    for key in ("low", "mid", "high"):
        assert isinstance(estimate[key], int) and not isinstance(estimate[key], bool)
    assert 0 < estimate["low"] <= estimate["mid"] <= estimate["high"]
    assert personal["matched"] is True
    assert blank["matched"] is False and blank["estimate"] is None
    assert garbage["matched"] is False and garbage["estimate"] is None
    assert len(garbage["answer"]) < 1500


def test_ask_jsonl_with_no_input_prints_nothing(env: dict[str, str]) -> None:
    run = ptcc(env, "ask", "--jsonl", stdin="")
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""


# ptcc estimate -----------------------------------------------------------------------------


def test_estimate_json(env: dict[str, str]) -> None:
    run = ptcc(
        env, "estimate", "--years", "5", "--education", "bachelor", "--location", "Boston", "--json"
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert isinstance(data, dict)
    assert {"low", "mid", "high", "currency", "breakdown"} <= set(data)
    assert data["currency"] == "USD"
    assert all(isinstance(data[k], int) for k in ("low", "mid", "high"))
    assert 20_000 < data["low"] <= data["mid"] <= data["high"] < 200_000
    breakdown = data["breakdown"]
    assert isinstance(breakdown, list) and breakdown
    assert all(isinstance(step, dict) and step.get("factor") for step in breakdown)
    assert data["profile"]["years"] == 5
    assert data["profile"]["education"] == "bachelor"
    assert "Boston" in data["profile"]["location"]


def test_estimate_text(env: dict[str, str]) -> None:
    run = ptcc(env, "estimate", "--years", "5", "--education", "bachelor", "--location", "Boston")
    assert run.returncode == 0, run.stderr
    assert "$" in run.stdout
    assert re.search(r"\$\d{2},\d{3}", run.stdout)
    assert "Boston" in run.stdout
    assert not run.stdout.lstrip().startswith("{")


def test_estimate_options_change_the_figures(env: dict[str, str]) -> None:
    base = ["estimate", "--years", "5", "--education", "bachelor", "--json"]
    plain = json.loads(ptcc(env, *base).stdout)
    more = json.loads(
        ptcc(env, *base, "--cert", "cmaa", "--employer", "hospital", "--skill", "emr").stdout
    )
    assert more["profile"]["certifications"] == ["CMAA"]
    assert more["profile"]["employer"] == "hospital"
    assert more["mid"] > plain["mid"]


# Argument errors ---------------------------------------------------------------------------

ESTIMATE = ["estimate", "--years", "5", "--education", "bachelor"]


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["estimate", "--years", "-1", "--education", "bachelor"], "--years"),
        (["estimate", "--years", "500", "--education", "bachelor"], "--years"),
        (["estimate", "--years", "abc", "--education", "bachelor"], "--years"),
        (["estimate", "--years", "nan", "--education", "bachelor"], "--years"),
        (["estimate", "--years", "5", "--education", "phd"], "--education"),
        (["estimate", "--years", "5"], "--education"),
        ([*ESTIMATE, "--employer", "nasa"], "--employer"),
        ([*ESTIMATE, "--cert", "XYZ"], "--cert"),
        ([*ESTIMATE, "--skill", "juggling"], "--skill"),
        (["ask"], "QUESTION"),
        (["ask", "--json"], "QUESTION"),
        (["ask", "--jsonl", "a question"], "standard input"),
        (["ask", "--json", "--jsonl", "q"], "not allowed"),
        (["frobnicate"], "frobnicate"),
        ([], "COMMAND"),
        (["knowledge"], "required"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    env: dict[str, str], args: list[str], mentions: str
) -> None:
    run = ptcc(env, *args)
    assert run.returncode == 2
    assert "error:" in run.stderr
    assert mentions in run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""


def test_a_too_long_location_is_an_argument_error(env: dict[str, str]) -> None:
    run = ptcc(env, *ESTIMATE, "--location", "x" * 200)
    assert "Traceback" not in run.stderr
    assert run.returncode == 2
    assert "location" in run.stderr


# ptcc knowledge check ----------------------------------------------------------------------


def test_knowledge_check_of_the_installed_files_is_ok(env: dict[str, str]) -> None:
    run = ptcc(env, "knowledge", "check")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("OK")
    assert re.search(r"\d+ entries in \d+ sections", run.stdout)


def _break_knowledge(root: Path) -> tuple[str, str, str, str, str]:
    """Three mistakes in a copy; returns (answer file, answer entry, related file, related
    entry, experience field) as the check should name them."""
    # 1. An entry without its answer; pick one no other entry relates to, so the report has
    #    exactly the one problem for it.
    entries = {}
    for path in sorted((root / "entries").glob("*.toml")):
        for raw in tomllib.loads(path.read_text(encoding="utf-8")).get("entry", []):
            entries[raw["id"]] = (path, raw)
    related_to = {other for _, raw in entries.values() for other in raw.get("related", ())}
    lonely = next(i for i, (_, raw) in entries.items() if i not in related_to)
    answer_path, _ = entries[lonely]
    text = answer_path.read_text(encoding="utf-8")
    start = text.index(f'id = "{lonely}"')
    match = re.compile(r'^answer = (""".*?"""|".*?")\n', re.M | re.S).search(text, start)
    assert match is not None
    answer_path.write_text(text[: match.start()] + text[match.end() :], encoding="utf-8")

    # 2. A related id that does not exist, in another entry of another file.
    target = next(
        i
        for i, (p, raw) in entries.items()
        if p != answer_path and raw.get("related") and i != lonely
    )
    related_path, _ = entries[target]
    text = related_path.read_text(encoding="utf-8")
    start = text.index(f'id = "{target}"')
    at = text.index("related = [", start)
    text = text[:at] + 'related = ["no_such_entry", ' + text[at + len("related = [") :]
    related_path.write_text(text, encoding="utf-8")

    # 3. An experience tier whose low is above its high.
    experience = root / "factors" / "experience.toml"
    tiers = tomllib.loads(experience.read_text(encoding="utf-8"))["tier"]
    text = experience.read_text(encoding="utf-8")
    text, replaced = re.subn(
        rf"^low = {tiers[0]['low']}$", f"low = {tiers[0]['high'] + 1000}", text, count=1, flags=re.M
    )
    assert replaced == 1
    experience.write_text(text, encoding="utf-8")

    return (
        str(answer_path.relative_to(root)),
        lonely,
        str(related_path.relative_to(root)),
        target,
        "tier.0",
    )


def test_knowledge_check_lists_every_problem_with_its_place(
    env: dict[str, str], tmp_path: Path
) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(default_dir(), root)
    answer_file, answer_entry, related_file, related_entry, tier_field = _break_knowledge(root)

    run = ptcc(env, "knowledge", "check", str(root))

    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "OK" not in run.stdout
    problems = [line for line in run.stderr.splitlines() if line.strip().startswith("- ")]
    assert len(problems) == 3, run.stderr

    def line_with(*parts: str) -> str:
        found = [p for p in problems if all(part in p for part in parts)]
        assert len(found) == 1, (parts, run.stderr)
        return found[0]

    line_with(answer_file, f"'{answer_entry}'", "'answer'")
    line_with(related_file, f"'{related_entry}'", "'related'", "no_such_entry")
    tier = line_with("factors/experience.toml", f"'{tier_field}'")
    assert "low" in tier and "high" in tier


def test_knowledge_check_of_a_missing_directory_fails_cleanly(
    env: dict[str, str], tmp_path: Path
) -> None:
    run = ptcc(env, "knowledge", "check", str(tmp_path / "nowhere"))
    assert run.returncode == 1
    assert "not a directory" in run.stderr
    assert "Traceback" not in run.stderr


# ptcc chat ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "education", "employer"),
    [
        # every answer typed as text
        (
            ["5 years", "bachelor's", "none", "Boston", "hospital", "none"],
            "Bachelor's degree",
            "hospital",
        ),
        # numbered choices mixed with text: 2) Associate's degree, 2) Private PT clinic
        (["5 years", "2", "none", "Boston", "2", "done"], "Associate's degree", "private"),
    ],
    ids=["typed", "numbered"],
)
def test_chat_questionnaire_ends_in_an_estimate_and_the_profile_persists(
    env: dict[str, str], tmp_path: Path, answers: list[str], education: str, employer: str
) -> None:
    first = ptcc(env, "chat", stdin="\n".join(["/estimate", *answers]) + "\n")
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    estimate = first.stdout.split("Your estimate:", 1)
    assert len(estimate) == 2, first.stdout
    assert re.search(r"\$\d{2},\d{3}", estimate[1])
    assert "Boston" in estimate[1]
    assert (tmp_path / "ptcc.db").is_file()
    assert not (tmp_path / "home" / ".local").exists()  # PTCC_DB was honoured

    second = ptcc(env, "chat", stdin="/profile\nquit\n")
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    assert "Welcome back" in second.stdout
    profile = second.stdout.split("Your profile:", 1)
    assert len(profile) == 2, second.stdout
    shown = profile[1]
    fields = dict(
        line.removeprefix("- ").split(": ", 1)
        for line in shown.splitlines()
        if line.startswith("- ") and ": " in line
    )
    assert "Boston" in fields["Location"]
    assert fields["Experience"] == "5 years"
    assert fields["Education"] == education
    assert employer in fields["Employer"].lower()
    assert "Bye" in shown


def test_chat_ends_cleanly_at_end_of_input(env: dict[str, str]) -> None:
    run = ptcc(env, "chat", stdin="")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "PTCC Advisor" in run.stdout


def test_chat_ends_cleanly_at_end_of_input_inside_the_questionnaire(
    env: dict[str, str],
) -> None:
    run = ptcc(env, "chat", stdin="/estimate\n5 years\n\n")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "highest level of education" in run.stdout


def test_chat_answers_questions_too(env: dict[str, str]) -> None:
    run = ptcc(env, "chat", stdin="what does a PT care coordinator do?\nexit\n")
    assert run.returncode == 0, run.stderr
    assert re.search(r"schedul|insurance", run.stdout, re.IGNORECASE)


@pytest.mark.parametrize("bad_db", ["garbage", "postgresql://user@localhost/ptcc", "directory"])
def test_chat_with_an_unusable_database_says_so(
    env: dict[str, str], tmp_path: Path, bad_db: str
) -> None:
    if bad_db == "garbage":
        path = tmp_path / "garbage.db"
        path.write_bytes(b"not a database at all " * 200)
        env["PTCC_DB"] = str(path)
    elif bad_db == "directory":
        # aiosqlite's worker thread once outlived this failure and printed a traceback
        # after the message (test_store.py pins that down without timing luck).
        (tmp_path / "a_dir").mkdir()
        env["PTCC_DB"] = str(tmp_path / "a_dir")
    else:
        env["PTCC_DB"] = bad_db
    run = ptcc(env, "chat", stdin="hello\nquit\n")
    assert run.returncode == 1
    assert run.stderr.startswith("ptcc:")
    assert "PTCC_DB" in run.stderr or "database" in run.stderr
    assert "Traceback" not in run.stderr


# ptcc db migrate-to ------------------------------------------------------------------------


def test_migrate_to_postgresql_then_chat_there_with_the_same_profile(
    env: dict[str, str], pg_url: str
) -> None:
    answers = ["5 years", "bachelor's", "none", "Boston", "hospital", "none"]
    ptcc(env, "chat", stdin="\n".join(["/estimate", *answers]) + "\n")

    moved = ptcc(env, "db", "migrate-to", pg_url)
    assert moved.returncode == 0, moved.stderr
    assert "Moved 1 users (1 saved estimates)" in moved.stdout and "identical" in moved.stdout

    again = ptcc(env, "db", "migrate-to", pg_url)
    assert again.returncode == 1 and "already holds 1" in again.stderr
    assert "Traceback" not in again.stderr

    on_postgresql = {**env, "PTCC_DB": pg_url}
    assert ptcc(on_postgresql, "health").returncode == 0
    profile = ptcc(on_postgresql, "chat", stdin="/profile\nquit\n")
    assert "Welcome back" in profile.stdout and "Boston" in profile.stdout
    stats = ptcc(on_postgresql, "stats")
    assert "Users: 1" in stats.stdout and "Estimates saved: 1" in stats.stdout


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://ptcc:secret-pw@127.0.0.1:9/ptcc",  # port 9: nothing listens
        "postgresql://ptcc:secret-pw@[127.0.0.1/ptcc",  # malformed
    ],
)
def test_an_unreachable_postgresql_is_a_clear_error(env: dict[str, str], url: str) -> None:
    for args in (["health"], ["db", "migrate-to", url]):
        run = ptcc({**env, "PTCC_DB": url} if args == ["health"] else env, *args)
        assert run.returncode == 1
        assert "cannot connect to PostgreSQL" in run.stderr and "PTCC_DB" in run.stderr
        assert "secret-pw" not in run.stderr and "Traceback" not in run.stderr


def test_estimate_refuses_a_place_outside_the_us(env: dict[str, str]) -> None:
    done = ptcc(env, "estimate", "--years", "5", "--education", "bachelor", "--location", "London")
    assert done.returncode == 2 and "outside the United States" in done.stderr


def test_chat_numbers_one_screen_once(env: dict[str, str]) -> None:
    # After an answer mid-questionnaire, its related topics and the step's own choices share
    # one numbering: "4" is the step's first choice, never a related topic.
    run = ptcc(env, "chat", stdin="/estimate\n5\nwhat is a CMAA?\n4\n")
    before_answer = run.stdout.split("Got it: High school")[0]
    screen = before_answer.split("> ")[-2]  # the screen the "4" was typed at
    numbers = re.findall(r"^  (\d+)\) ", screen, re.MULTILINE)
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)] and len(numbers) > 6
    assert "Got it: High school diploma or GED" in run.stdout


def test_chat_reads_a_number_as_the_amount_it_asks_for(env: dict[str, str]) -> None:
    # "2" for two days off is two days, not the second button (which once cancelled).
    answers = ["/offer", "45000", "0", "0", "2", "0", "0"]
    run = ptcc(env, "chat", stdin="\n".join(answers) + "\n")
    assert "This offer:" in run.stdout and "Cancelled" not in run.stdout
    assert "2 days" in run.stdout
    years = ptcc(env, "chat", stdin="/estimate\n5\n")
    assert "Got it: 5 years" in years.stdout  # not the fifth range button


def test_chat_navigation_words_where_numbers_are_amounts(env: dict[str, str]) -> None:
    run = ptcc(env, "chat", stdin="/offer\n45000\nback\ncancel\n")
    assert "(type a number, or: cancel)" in run.stdout
    assert run.stdout.count("What is the base salary") == 2
    assert "Cancelled" in run.stdout


def test_chat_ends_at_once_on_ctrl_c(env: dict[str, str]) -> None:
    import signal
    import time

    chat = subprocess.Popen(
        [sys.executable, "-m", "ptcc_core.cli", "chat"],
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert chat.stdout is not None
    os.set_blocking(chat.stdout.fileno(), False)
    shown, deadline = b"", time.monotonic() + 60
    while b"> " not in shown and time.monotonic() < deadline:
        time.sleep(0.05)
        shown += chat.stdout.read() or b""
    chat.send_signal(signal.SIGINT)  # the user presses Ctrl-C at the prompt
    try:
        assert chat.wait(5) == 0
    finally:
        chat.kill()
    assert b"Traceback" not in (chat.stderr.read() if chat.stderr else b"")


def test_chat_what_if_saves_only_when_asked(env: dict[str, str]) -> None:
    question = "I have 10 years and an associate's, what would I make in San Francisco?"
    run = ptcc(env, "chat", stdin=f"{question}\n/profile\n{question}\nsave\n")
    assert "Assumed: from your message, 10 years" in run.stdout
    assert "don't have a saved profile" in run.stdout
    assert (
        "Saved to your profile." in run.stdout and "San Francisco" in run.stdout.split("Saved")[1]
    )


def test_db_given_up_lists_what_was_given_up_and_stats_counts_it(env: dict[str, str]) -> None:
    async def give_one_up() -> None:
        store = await open_store(env["PTCC_DB"])
        try:
            await store.enqueue(7, "tg:7", '{"update_id": 7, "message": {"text": "hi"}}')
            await store.claim("dead", 30, 1)
            await store.give_up(7)
        finally:
            await store.close()

    asyncio.run(give_one_up())
    listed = ptcc(env, "db", "given-up")
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    kept = json.loads(line)
    assert (kept["update_id"], kept["user_key"]) == (7, "tg:7")
    assert json.loads(kept["payload"])["message"] == {"text": "hi"}
    assert "Updates given up" in ptcc(env, "stats").stdout
