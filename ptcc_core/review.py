"""`ptcc review`: the operator's knowledge loop over the questions the bot could not answer.

The store keeps the text of every question that got no answer (declined, or "did you mean"),
never who asked. Review reads them, most asked first, asks the matcher again where each lands
(the nearest entry, and the nearest known unanswerable group), groups them by nearest entry,
and lets the operator file each in a keystroke: as another way of asking an entry, or as a
known unanswerable question with its group's reason. The files are edited in place
(`knowledge_edit`), the knowledge is loaded again to prove it is valid, and the answerability
model is fitted again, since its training data changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ptcc_core.advisor import Advisor
from ptcc_core.knowledge import UNANSWERABLE_FILE, load_knowledge
from ptcc_core.knowledge_edit import EditError, add_questions
from ptcc_core.loading import KnowledgeError

HELP = (
    "  a = another way to ask the entry above    u = unanswerable, for the group shown\n"
    "  e ID = another way to ask entry ID        g ID = unanswerable, for group ID\n"
    "  s = skip    q = stop here"
)


@dataclass(frozen=True)
class Pending:
    """A logged question, and where the matcher puts it now."""

    text: str
    times: int
    entry_id: str | None
    entry_title: str
    group_id: str | None
    verdict: str


def pending(advisor: Advisor, asked: list[tuple[str, int]]) -> list[Pending]:
    """The logged questions with their nearest entry and group, grouped by nearest entry."""
    found = []
    for text, times in asked:
        analysis = advisor.matcher.analyse(text)
        result = advisor.matcher.match(text)
        best = analysis.ranked[0] if analysis.ranked else None
        group = analysis.nearest_unanswerable
        if result.entry_id:
            verdict = "answered now"
        elif result.alternatives:
            verdict = "did you mean"
        else:
            verdict = "declined"
        found.append(
            Pending(
                text=text,
                times=times,
                entry_id=best.entry_id if best else None,
                entry_title=best.title if best else "no entry near",
                group_id=group.id if group else None,
                verdict=verdict,
            )
        )
    return sorted(found, key=lambda p: (p.entry_title, -p.times))


def _entry_file(root: Path, entry_id: str) -> Path:
    for path in sorted((root / "entries").glob("*.toml")):
        if f'id = "{entry_id}"' in path.read_text(encoding="utf-8"):
            return path
    raise EditError(f"no entry with id {entry_id!r}")


def _file(root: Path, item: Pending, command: str) -> str | None:
    """Carry out one command for one question; the message to show, None to stop."""
    word, _, argument = command.strip().partition(" ")
    argument = argument.strip()
    if word == "q":
        return None
    if word in ("a", "e"):
        entry_id = argument if word == "e" else item.entry_id
        if not entry_id:
            return "no entry given"
        added = add_questions(_entry_file(root, entry_id), entry_id, [item.text])
        return f"added to entry {entry_id}" if added else f"entry {entry_id} already has it"
    if word in ("u", "g"):
        group_id = argument if word == "g" else item.group_id
        if not group_id:
            return "no group given"
        added = add_questions(root / UNANSWERABLE_FILE, group_id, [item.text])
        return f"added to group {group_id}" if added else f"group {group_id} already has it"
    return "skipped"


def run_review(
    advisor: Advisor,
    root: Path,
    asked: list[tuple[str, int]],
    read: Callable[[str], str],
    write: Callable[[str], None],
    retrain: Callable[[Path], str],
) -> int:
    """The review loop; returns the number of questions filed. `read` raises EOFError when
    the operator's input ends, which stops the loop like `q`."""
    items = pending(advisor, asked)
    if not items:
        write("No unanswered questions are logged.")
        return 0
    write(HELP)
    filed, heading = 0, None
    for item in items:
        if item.entry_title != heading:
            heading = item.entry_title
            write(f"\n== nearest entry: {heading} ({item.entry_id or '-'})")
        group = f", nearest unanswerable group {item.group_id}" if item.group_id else ""
        write(f'  "{item.text}" (asked {item.times}x; {item.verdict}{group})')
        try:
            message = _file(root, item, read("  > "))
        except EOFError:
            break
        except EditError as exc:
            message = f"not filed: {exc}"
        if message is None:
            break
        filed += message.startswith("added")
        write(f"  {message}")
    if filed:
        try:
            load_knowledge(root, with_model=False)
            write(f"\n{filed} question(s) filed. Fitting the answerability model again...")
            write(retrain(root))
        except KnowledgeError as exc:
            write(f"The knowledge needs attention before the model can be fitted: {exc}")
    return filed
