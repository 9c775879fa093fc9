"""The `ptcc` command: ask, estimate, chat, and check the knowledge files.

    ptcc ask "what do coordinators do?"        the reply, as a user would read it
    ptcc ask --json "..."                      one object of the eval contract
    ptcc ask --jsonl < questions.txt           one object per input line
    ptcc estimate --years 5 --education bachelor --location Boston [--json]
    ptcc chat                                  the guided questionnaire in the terminal
    ptcc knowledge check [DIR]                 validate knowledge files, list every problem
    ptcc knowledge train [--check] [DIR]       fit the answerability model (needs '.[train]')
    ptcc review [--limit N] [--knowledge DIR]  file unanswered questions into the knowledge
    ptcc health                                the knowledge loads and the database takes a write
    ptcc stats                                 users, estimates, unanswered questions
    ptcc offer --base 45000 [--bonus N ...]    total compensation of an offer
    ptcc compare "base=45000" "base=47000 ..."   two offers side by side

Bad arguments exit with status 2 and a message; broken knowledge files with status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Reply
from ptcc_core.estimator import Estimate
from ptcc_core.factors import EDUCATION_ORDER, EMPLOYER_IDS
from ptcc_core.knowledge import default_dir, load_knowledge
from ptcc_core.loading import KnowledgeError
from ptcc_core.offers import (
    Offer,
    compare,
    comparison_text,
    offer_text,
    parse_offer,
    total_compensation,
)
from ptcc_core.profile import MAX_LOCATION, MAX_YEARS, Profile
from ptcc_core.store import Stats, Store, StoreError, check_store, open_store


def _years(value: str) -> float:
    try:
        years = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of years") from None
    if not 0 <= years <= MAX_YEARS:
        raise argparse.ArgumentTypeError(f"years must be between 0 and {MAX_YEARS}, not {value}")
    return years


def _location(value: str) -> str:
    if not value.strip() or len(value) > MAX_LOCATION:
        raise argparse.ArgumentTypeError(f"give a place of 1 to {MAX_LOCATION} characters")
    return value


def _offer(spec: str) -> Offer:
    try:
        return parse_offer(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ptcc", description="Career advice for Physical Therapy Care Coordinators."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer a question")
    ask.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument("--jsonl", action="store_true", help="questions on stdin, JSON lines out")

    est = commands.add_parser("estimate", help="estimate a salary from a profile")
    est.add_argument("--years", type=_years, required=True, help="years of experience (0-50)")
    est.add_argument("--education", choices=EDUCATION_ORDER, required=True)
    est.add_argument(
        "--cert",
        action="append",
        default=[],
        type=str.upper,
        choices=["CMAA", "CEHRS", "CPCT"],
        metavar="NAME",
        help="a certification you hold: CMAA, CEHRS or CPCT (repeat for several)",
    )
    est.add_argument(
        "--location", type=_location, help="city or area, e.g. Boston, NYC, rural Ohio"
    )
    est.add_argument("--employer", choices=EMPLOYER_IDS)
    est.add_argument(
        "--skill",
        action="append",
        default=[],
        choices=["emr", "billing_coding", "insurance", "excel", "soft_skills"],
        help="an in-demand skill you bring (repeat for several)",
    )
    est.add_argument("--json", action="store_true", help="print JSON")
    est.add_argument(
        "--chart", type=Path, metavar="FILE.png", help="also draw the estimate as a PNG"
    )

    offer = commands.add_parser("offer", help="total compensation of a job offer")
    for name, field in Offer.model_fields.items():
        offer.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            type=float if field.annotation is float else int,
            required=name == "base",
            help=f"{field.description or name.replace('_', ' ')} (default {field.default})"
            if name != "base"
            else field.description,
        )
    offer.add_argument("--json", action="store_true", help="print JSON")

    comparison = commands.add_parser("compare", help="compare two offers' total compensation")
    comparison.add_argument("first", type=_offer, help='offer A, e.g. "base=45000 bonus=2000"')
    comparison.add_argument("second", type=_offer, help='offer B, e.g. "base=47000 pto_days=15"')
    comparison.add_argument("--json", action="store_true", help="print JSON")

    commands.add_parser("chat", help="the guided questionnaire and questions, in the terminal")
    commands.add_parser(
        "health", help="check that the knowledge loads and the database takes a write"
    )
    commands.add_parser("stats", help="users, estimates, and questions the bot could not answer")

    db = commands.add_parser("db", help="database tools")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    move = db_commands.add_parser(
        "migrate-to",
        help="copy every profile, estimate and question to another (empty) database",
    )
    move.add_argument(
        "target", help="postgresql://USER:PASS@HOST:PORT/DB, sqlite:///PATH or a path"
    )
    move.add_argument("--from", dest="source", help="the database to copy (default: PTCC_DB)")
    db_commands.add_parser(
        "given-up",
        help="the updates given up because processes kept dying on them, one JSON per line",
    )

    knowledge = commands.add_parser("knowledge", help="knowledge file tools")
    knowledge_commands = knowledge.add_subparsers(dest="knowledge_command", required=True)
    check = knowledge_commands.add_parser("check", help="validate a knowledge directory")
    check.add_argument("directory", nargs="?", type=Path, help="default: the installed one")
    train = knowledge_commands.add_parser(
        "train", help="fit the answerability model from the knowledge and tests/data"
    )
    train.add_argument("directory", nargs="?", type=Path, help="default: the installed one")
    train.add_argument("--check", action="store_true", help="exit 1 if the stored model is stale")

    review = commands.add_parser(
        "review", help="file the questions the bot could not answer into the knowledge"
    )
    review.add_argument("--limit", type=int, default=50, help="most asked first (default 50)")
    review.add_argument("--knowledge", type=Path, help="default: the installed knowledge")
    return parser


def estimate_json(estimate: Estimate) -> dict[str, Any]:
    return estimate.model_dump(mode="json")


def reply_json(question: str, reply: Reply) -> dict[str, Any]:
    """A reply in the `ptcc ask --json` contract (../shared/eval/README.md)."""
    return {
        "question": question,
        "matched": reply.matched,
        "entry_id": reply.entry_id,
        "score": reply.score,
        "answer": reply.text,
        "suggestions": [{"entry_id": c.entry_id, "title": c.title} for c in reply.suggestions],
        "estimate": estimate_json(reply.estimate) if reply.estimate else None,
    }


def _format_reply(reply: Reply) -> str:
    if reply.kind == "answer" and reply.choices:
        related = ", ".join(c.label for c in reply.choices)
        return f"{reply.text}\n\nSee also: {related}"
    return reply.text


def _ask(advisor: Advisor, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.jsonl:
        if args.question:
            parser.error("ask --jsonl reads questions from standard input; give no QUESTION")
        for line in sys.stdin:
            question = line.rstrip("\n")
            print(json.dumps(reply_json(question, advisor.answer(question))), flush=False)
        sys.stdout.flush()
        return 0
    if not args.question:
        parser.error("ask needs a QUESTION (or --jsonl to read them from standard input)")
    reply = advisor.answer(args.question)
    print(json.dumps(reply_json(args.question, reply)) if args.json else _format_reply(reply))
    return 0


def _estimate(advisor: Advisor, args: argparse.Namespace) -> int:
    if args.location and advisor.outside_the_us(args.location):
        print(
            f"ptcc: {args.location} is outside the United States; the article's pay figures "
            "cover the US only, so there is no estimate for it",
            file=sys.stderr,
        )
        return 2
    profile = Profile(
        years=args.years,
        education=args.education,
        certifications=tuple(args.cert),
        location=args.location,
        employer=args.employer,
        skills=tuple(args.skill),
    )
    estimate = advisor.estimator.estimate(profile)
    levers = advisor.lever_finder.levers(profile)
    if args.chart:
        from ptcc_core.chart import ChartPainter

        try:
            painter = ChartPainter(advisor.knowledge.factors)
            args.chart.write_bytes(painter.png(estimate.low, estimate.mid, estimate.high))
        except OSError as exc:
            print(f"ptcc: cannot write the chart to {args.chart}: {exc}", file=sys.stderr)
            return 1
    if args.json:
        result = estimate_json(estimate)
        result["levers"] = [
            lever.model_dump(include={"change", "delta_mid", "why"}) for lever in levers
        ]
        print(json.dumps(result, indent=2))
    else:
        print(advisor.texts.estimate(estimate).text)
        print("\n" + advisor.texts.levers(levers, estimate.mid).text)
    return 0


T = TypeVar("T")


async def _read(db: str | None, read: Callable[[Store], Awaitable[T]]) -> T:
    """What `read` gets from the database PTCC_DB names, opened for it and closed after."""
    store = await open_store(db)
    try:
        return await read(store)
    finally:
        await store.close()


async def _stats(db: str | None, top: int = 10) -> Stats:
    return await _read(db, lambda store: store.stats(top))


def _offers(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.command == "compare":
        comparison = compare(args.first, args.second)
        print(
            json.dumps(comparison.model_dump(mode="json"), indent=2)
            if args.json
            else comparison_text(comparison)
        )
        return 0
    given = {
        name: getattr(args, name) for name in Offer.model_fields if getattr(args, name) is not None
    }
    try:
        offer = Offer.model_validate(given)
    except ValidationError as exc:
        parser.error(
            "; ".join(f"--{str(e['loc'][0]).replace('_', '-')}: {e['msg']}" for e in exc.errors())
        )
    total = total_compensation(offer)
    print(json.dumps(total.model_dump(mode="json"), indent=2) if args.json else offer_text(total))
    return 0


def _migrate(source: str | None, target: str) -> int:
    from ptcc_core.migrate import migrate

    try:
        moved = asyncio.run(migrate(source, target))
    except StoreError as exc:
        print(f"ptcc: {exc}", file=sys.stderr)
        return 1
    print(
        f"Moved {moved.users} users ({moved.estimates} saved estimates) and {moved.questions} "
        f"logged questions from {moved.source} to {moved.target}; all read back identical."
    )
    return 0


def _given_up(db: str | None) -> int:
    try:
        for update in asyncio.run(_read(db, lambda store: store.given_up())):
            print(update.model_dump_json())
    except StoreError as exc:
        print(f"ptcc: {exc}", file=sys.stderr)
        return 1
    return 0


def _train(directory: Path | None, check: bool) -> int:
    from ptcc_core import training

    root = directory or default_dir()
    try:
        if check:
            current = training.is_current(root)
            state = "current" if current else "stale: run ptcc knowledge train"
            print(f"The fitted models in {root} are {state}.")
            return 0 if current else 1
        print(training.retrain(root))
    except KnowledgeError as exc:
        print(f"ptcc: {exc}", file=sys.stderr)
        return 1
    return 0


def _review(args: argparse.Namespace, db: str | None) -> int:
    from ptcc_core import training
    from ptcc_core.review import run_review

    root = args.knowledge or default_dir()
    advisor = Advisor.load(root)
    asked = asyncio.run(_stats(db, args.limit)).top_unanswered
    run_review(advisor, root, asked, input, print, training.retrain)
    return 0


def _check(directory: Path | None) -> int:
    try:
        knowledge = load_knowledge(directory)
    except KnowledgeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(
        f"OK: {len(knowledge.entries)} entries in {len(knowledge.sections)} sections, "
        "salary factors valid."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`ptcc ask ... | head -1`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "knowledge":
        if args.knowledge_command == "train":
            return _train(args.directory, args.check)
        return _check(args.directory)
    if args.command in ("offer", "compare"):
        return _offers(args, parser)
    if args.command == "db":
        if args.db_command == "given-up":
            return _given_up(os.environ.get("PTCC_DB"))
        return _migrate(args.source or os.environ.get("PTCC_DB"), args.target)
    try:
        advisor = Advisor.load()
    except KnowledgeError as exc:
        print(f"ptcc: cannot start: {exc}", file=sys.stderr)
        return 1
    if args.command == "ask":
        return _ask(advisor, args, parser)
    if args.command == "estimate":
        return _estimate(advisor, args)
    try:
        db = os.environ.get("PTCC_DB")
        if args.command == "health":
            name = asyncio.run(check_store(db))
            print(f"OK: {len(advisor.knowledge.entries)} entries; database {name} opens.")
            return 0
        if args.command == "stats":
            print(advisor.texts.stats(asyncio.run(_stats(db))).text)
            return 0
        if args.command == "review":
            return _review(args, db)
        from ptcc_core.chat import run_chat

        asyncio.run(run_chat(advisor, db))
    except StoreError as exc:
        print(f"ptcc: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
