"""Everything the advisor says, in one place: wording and layout of each kind of reply.

Plain text only; channels add their own formatting. Kept apart from the advisor's logic so
the voice stays consistent and the logic stays short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ptcc_core.conversation import Choice, OfferStep, Reply, Session
from ptcc_core.dialog import Question
from ptcc_core.estimator import Estimate, usd
from ptcc_core.knowledge import Entry, Knowledge
from ptcc_core.levers import Lever
from ptcc_core.matcher import Candidate, MatchResult
from ptcc_core.offer_form import QUESTIONS, default_text
from ptcc_core.offer_form import choices as offer_choices
from ptcc_core.offers import Comparison, TotalCompensation, comparison_text, offer_text
from ptcc_core.privacy import Retention
from ptcc_core.profile import Profile
from ptcc_core.store import Stats

ESTIMATE = Choice(label="💰 Salary estimate", value="go:estimate")
LEVERS = Choice(label="📈 How do I earn more?", value="go:levers")
ASK = Choice(label="❓ Ask a question", value="go:ask")
TOPICS = Choice(label="📚 Browse topics", value="go:topics")
ALL_TOPICS = Choice(label="⬅ All topics", value="menu:")
PRIVATE_ESTIMATE = Choice(label="🔒 My estimate, in private", value="open:estimate")
_FIELD_LABELS = {
    "years": "Experience",
    "education": "Education",
    "certifications": "Certifications",
    "location": "Location",
    "employer": "Employer",
    "skills": "Skills",
}
_MAX_NOTES = 3
# "San Francisco, CA" is said "San Francisco"; "Washington, D.C." keeps its D.C.
_STATE = re.compile(r", [A-Z]{2}$")
_MAX_LEVERS = 6
_MAX_REPLY = 1150  # characters: a chat reply, not a page
_COMBINED = (
    "How I got there (the article gives each factor on its own; adding them up is my arithmetic):"
)
_UNSAVED = (
    'Your saved profile is unchanged: tap "Save to my profile" (or type save) to keep these '
    "answers."
)


@dataclass(frozen=True)
class Assumed:
    """Where the details of an estimate for a question came from: the fields the message
    stated, the rest from `kept_from` (the saved profile or the last estimate); `digest`
    fingerprints the profile, so its Save and earn-more buttons act on this case only."""

    stated: frozenset[str]
    kept_from: str
    digest: str


def _first_sentences(text: str, budget: int) -> str:
    """As many whole sentences from the start of text as fit in budget characters (at least
    one), so a short answer still states its fact."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    kept = [sentences[0]]
    for sentence in sentences[1:]:
        if len(" ".join([*kept, sentence])) > budget:
            break
        kept.append(sentence)
    return " ".join(kept)


class Texts:
    """Builds replies from the knowledge (entries, section titles, factor labels)."""

    def __init__(self, knowledge: Knowledge) -> None:
        self._knowledge = knowledge
        self._section_titles = knowledge.section_titles()

    # Small talk -------------------------------------------------------------------------

    def feeling(self, kind: str) -> Reply:
        day = self._knowledge.entries.get("day_overview")
        offers = self._knowledge.entries.get("comp_compare_offers")
        if kind == "good_news":
            text = (
                "Congratulations, that's great news! If it helps, I can show you what a typical "
                "day looks like, or how to weigh up an offer beyond its base salary."
            )
            pointers = [e for e in (day, offers) if e]
        else:
            text = (
                "Feeling nervous about this is completely normal, and it says you care. It may "
                "help to see what a typical day looks like, from the morning schedule to the "
                "end-of-day wrap-up, so there are fewer surprises."
            )
            pointers = [e for e in (day,) if e]
        choices = tuple(Choice(label=e.title, value=f"entry:{e.id}") for e in pointers)
        return Reply(kind="small_talk", text=text, choices=(*choices, TOPICS))

    def spanish(self) -> Reply:
        text = (
            "¡Hola! Por ahora solo hablo inglés. Pregúntame en inglés sobre el trabajo de PT "
            'Care Coordinator, por ejemplo: "How much does a PT care coordinator make?" o '
            '"What does a coordinator do?"'
        )
        return Reply(kind="small_talk", text=text, choices=(ESTIMATE, TOPICS))

    def small_talk(self, kind: str) -> Reply:
        text = {
            "greeting": "Hi! I'm PTCC Advisor. " + _WHAT_I_DO,
            "thanks": "You're welcome! Ask me anything else about the coordinator role, or get a salary estimate below.",
            "bye": "Good luck with your career! Come back any time you have a question.",
            "help": _WHAT_I_DO + "\n\n" + _COMMANDS,
        }[kind]
        return Reply(kind="small_talk", text=text, choices=(ESTIMATE, TOPICS))

    def welcome(self, returning: bool) -> Reply:
        hello = "Welcome back!" if returning else "Hi, I'm PTCC Advisor."
        return Reply(kind="info", text=f"{hello} {_WHAT_I_DO}", choices=(ESTIMATE, ASK, TOPICS))

    # Knowledge answers ----------------------------------------------------------------------

    def entry(
        self,
        entry: Entry,
        score: float,
        alternatives: tuple[Candidate, ...],
        also: Entry | None = None,
    ) -> Reply:
        """An entry's answer with its source; `also` adds a second one, for comparisons."""
        section = self._section_titles[entry.section]
        text = entry.answer.strip()
        if also is not None:
            text += f"\n\n{also.answer.strip()}"
        text += f"\n\nSource: the article's section \u201c{section}\u201d."
        shown = {entry.id, also.id if also else ""}
        related = [self._knowledge.entries[r] for r in entry.related if r not in shown]
        choices = tuple(Choice(label=r.title, value=f"entry:{r.id}") for r in related[:3])
        return Reply(
            kind="answer",
            text=text,
            choices=choices,
            entry_id=entry.id,
            score=score,
            suggestions=alternatives,
        )

    def several(self, entries: list[Entry]) -> Reply:
        """Short answers to a message that asks two or three things, each from its entry."""
        budget = _MAX_REPLY // len(entries) - 60
        parts = [_first_sentences(e.answer, budget) for e in entries]
        sections = dict.fromkeys(f"\u201c{self._section_titles[e.section]}\u201d" for e in entries)
        heading = "section" if len(sections) == 1 else "sections"
        sources = " and ".join(sections)
        text = "\n\n".join(parts) + f"\n\nSource: the article's {heading} {sources}."
        choices = tuple(Choice(label=e.title, value=f"entry:{e.id}") for e in entries)
        return Reply(kind="answer", text=text, choices=choices, entry_id=entries[0].id, score=100.0)

    def unsure(self, result: MatchResult) -> Reply:
        titles = "\n".join(f"- {c.title}" for c in result.alternatives)
        return Reply(
            kind="unsure",
            text=f"I'm not sure I understood. Did you mean one of these?\n{titles}",
            choices=tuple(
                Choice(label=c.title, value=f"topic:{c.entry_id}") for c in result.alternatives
            ),
            score=result.score,
            suggestions=result.alternatives,
        )

    def fallback(self, result: MatchResult) -> Reply:
        if result.scope_problem == "role":
            why = "I only know about the PT Care Coordinator job, so I can't speak for other jobs."
        elif result.scope_problem == "country":
            why = "The figures I have are for the United States only, so I can't speak for other countries."
        elif result.scope_problem == "not_covered":
            why = "The article I draw on doesn't cover licensing, and I'd rather not guess."
        elif result.scope_problem == "period" and result.years_given:
            given = result.years_given
            span = given[0] if len(given) == 1 else f"{given[0]} to {given[-1]}"
            why = f"The article gives that figure for {span} only, so I have none for other years."
        elif result.scope_problem == "period":
            why = (
                "The article's figures are from 2022 to early 2024, with a job outlook to 2032, "
                "so I have none for other years."
            )
        elif result.scope_problem == "price":
            why = (
                "The article gives no prices or fees: not for schooling, certification exams "
                "or anything else."
            )
        elif result.scope_problem == "example_pay":
            why = (
                "The article uses Maria and Alex as examples of the job and does not say what "
                "either of them earns."
            )
        elif result.scope_problem == "place":
            why = self._no_place_figure()
        elif result.scope_problem == "clinical":
            why = "I can't give medical advice: please ask your physical therapist or doctor."
        elif result.scope_problem == "software":
            why = "I know which software coordinators use, but not how to operate it; the software's own help is the place for that."
        elif result.reason:
            why = f"{result.reason} I'd rather not guess."
        else:
            why = "The article I draw on doesn't cover that, and I'd rather not guess."
        text = (
            f"Sorry! {why} I can help with what a coordinator does, pay and what moves it, "
            "benefits, education and certifications, skills, and the job outlook."
        )
        return Reply(
            kind="fallback",
            text=text,
            choices=(TOPICS, ESTIMATE),
            score=result.score,
            declined=result.scope_problem
            or ("known_unanswerable" if result.reason else "no_match"),
        )

    def _no_place_figure(self) -> str:
        """The places the article gives figures for, and its rule of thumb for the rest."""
        places = self._knowledge.factors.locations
        metros = [_STATE.sub("", m.name) for m in places.metro]
        average = [_STATE.sub("", e) for e in places.average.examples]
        lower = f"{-places.lower.premium_high:.0%} to {-places.lower.premium_low:.0%}"
        return (
            f"The article gives city pay figures only for {_listed(metros)}, and names "
            f"{_listed(average)} as about average, so I have no figure for other places. It "
            "puts most suburbs and mid-sized cities near the national average, and rural, "
            f"lower-cost areas {lower} below it."
        )

    def topics(self) -> Reply:
        """The short topics menu: one button per group of the article's sections."""
        shown = {s.menu for s in self._knowledge.sections if self._knowledge.entries_in(s.id)}
        return Reply(
            kind="info",
            text="Pick a topic:",
            choices=tuple(
                Choice(label=title, value=f"menu:{menu}")
                for menu, title in self._knowledge.menus.items()
                if menu in shown
            ),
        )

    def menu(self, menu_id: str) -> Reply:
        """One button of the topics menu: its sections, or a lone section's entries."""
        sections = [
            s
            for s in self._knowledge.sections
            if s.menu == menu_id and self._knowledge.entries_in(s.id)
        ]
        if len(sections) == 1:
            return self.section(sections[0].id)
        return Reply(
            kind="info",
            text=f"{self._knowledge.menus[menu_id]}: which part?",
            choices=(
                *(Choice(label=s.title, value=f"sec:{s.id}") for s in sections),
                ALL_TOPICS,
            ),
        )

    def section(self, section_id: str) -> Reply:
        section = next(s for s in self._knowledge.sections if s.id == section_id)
        entries = self._knowledge.entries_in(section_id)
        siblings = [s for s in self._knowledge.sections if s.menu == section.menu]
        back = (
            Choice(label="⬅ Back", value=f"menu:{section.menu}")
            if len([s for s in siblings if self._knowledge.entries_in(s.id)]) > 1
            else ALL_TOPICS
        )
        return Reply(
            kind="info",
            text=f"{section.title}: what would you like to know?",
            choices=(*(Choice(label=e.title, value=f"topic:{e.id}") for e in entries), back),
        )

    def ask_prompt(self) -> Reply:
        return Reply(
            kind="info",
            text='Type your question, for example "what does a coordinator do?" or "how much more does Boston pay?"',
        )

    # Estimates ------------------------------------------------------------------------------

    def estimate(
        self, estimate: Estimate, with_edit: bool = False, case: Assumed | None = None
    ) -> Reply:
        """An estimate with its breakdown. With `case`, an estimate for details given in a
        question: it says what was assumed, leaves the saved profile alone and offers to save."""
        opening = "For this case:" if case else "Your estimate:"
        lines = [
            f"{opening} {usd(estimate.low)} to {usd(estimate.high)} a year, "
            f"most likely about {usd(estimate.mid)}."
        ]
        if case is not None:
            lines += [self._assumed(estimate, case), _UNSAVED]
        combined = len(estimate.breakdown) > 1
        lines += ["", _COMBINED if combined else "How I got there:"]
        lines += [f"- {s.factor}: {s.effect} ({s.source})" for s in estimate.breakdown]
        notes = [f"- {note}" for note in estimate.notes[:_MAX_NOTES]]
        while len(notes) > 1 and len("\n".join([*lines, "", "Good to know:", *notes])) > _MAX_REPLY:
            notes.pop()  # the breakdown matters more than the later caveats
        if notes:
            lines += ["", "Good to know:", *notes]
        change = Choice(label="✏ Change an answer", value="go:profile")
        if case is not None:
            choices: tuple[Choice, ...] = (
                Choice(label="💾 Save to my profile", value=f"save:{case.digest}"),
                LEVERS.model_copy(update={"value": f"levers:{case.digest}"}),
            )
        else:
            choices = (LEVERS, change) if with_edit else (LEVERS, ESTIMATE)
        return Reply(kind="estimate", text="\n".join(lines), estimate=estimate, choices=choices)

    def _assumed(self, estimate: Estimate, case: Assumed) -> str:
        profile = estimate.profile
        given = [f for f in _FIELD_LABELS if getattr(profile, f) not in (None, ())]

        def listed(fields: list[str]) -> str:
            return ", ".join(self._field_text(f, getattr(profile, f)) for f in fields)

        stated = [f for f in given if f in case.stated]
        kept = [f for f in given if f not in case.stated]
        missing = [_FIELD_LABELS[f].lower() for f in _FIELD_LABELS if f not in given]
        parts = []
        if stated:
            parts.append(f"from your message, {listed(stated)}")
        if kept:
            parts.append(f"from {case.kept_from}, {listed(kept)}")
        if missing:
            parts.append(f"not given: {', '.join(missing)}")
        return "Assumed: " + "; ".join(parts) + "."

    def levers(self, levers: list[Lever], mid: int) -> Reply:
        if not levers:
            top = self._knowledge.factors.experience.tier[-1].high
            return Reply(
                kind="info",
                text="None of the changes I can price would raise this estimate: the article's "
                f"figures stop at its senior range of {usd(top)}+, with no upper limit given.",
                choices=(ESTIMATE,),
            )
        lines = [f"What would raise your most likely figure (now about {usd(mid)}):", ""]
        for n, lever in enumerate(levers[:_MAX_LEVERS], start=1):
            line = f"{n}. {lever.change}: +{usd(lever.delta_mid)} a year. {lever.why}"
            if sum(len(x) + 1 for x in lines) + len(line) > _MAX_REPLY:
                break
            lines.append(line)
        return Reply(kind="levers", text="\n".join(lines), choices=(ESTIMATE,))

    def profile(self, session: Session, saved_now: bool = False) -> Reply:
        """The saved profile and estimates; in the middle of the questionnaire, also the
        answers so far (changing saved answers waits until it is finished)."""
        profile = session.profile
        so_far = [
            f"- {label}: {self._field_text(field, getattr(session.draft, field))}"
            for field, label in _FIELD_LABELS.items()
            if field in session.draft.model_fields_set
        ]
        asking = session.step is not None
        if profile.is_empty() and not session.estimates:
            lines = ["I don't have a saved profile for you yet."]
            if asking:
                lines += ["", "Your answers so far:", *so_far] if so_far else []
                return Reply(kind="profile", text="\n".join(lines))
            lines[0] += " Answer a few questions to get a salary estimate."
            return Reply(kind="profile", text=lines[0], choices=(ESTIMATE,))
        lines = ["Saved to your profile." if saved_now else "Your profile:"]
        if saved_now:
            lines.append("Your profile now:")
        for field, label in _FIELD_LABELS.items():
            lines.append(f"- {label}: {self._field_text(field, getattr(profile, field))}")
        if session.estimates:
            latest = session.estimates[-1]
            lines += [
                "",
                f"Latest estimate ({latest.at:%Y-%m-%d}): {usd(latest.low)} to {usd(latest.high)}, "
                f"most likely {usd(latest.mid)}.",
            ]
            earlier = session.estimates[-6:-1]
            if earlier:
                lines.append("Earlier:")
                lines += [
                    f"- {e.at:%Y-%m-%d %H:%M}: {usd(e.low)} to {usd(e.high)} (most likely {usd(e.mid)})"
                    for e in reversed(earlier)
                ]
        if asking:
            if so_far:
                lines += ["", "Your answers so far in this questionnaire:", *so_far]
            return Reply(kind="profile", text="\n".join(lines))
        lines += ["", "Tap an answer to change it; I'll re-estimate right away."]
        choices = tuple(
            Choice(label=f"Change {label.lower()}", value=f"edit:{field}")
            for field, label in _FIELD_LABELS.items()
        )
        return Reply(kind="profile", text="\n".join(lines), choices=(*choices, ESTIMATE))

    def got_it(self, before: Profile, after: Profile, step: str | None = None) -> str:
        """ "Got it: 6 years, Boston." for the answers `after` adds to `before`, and for the
        step just answered (ticked choices are in `before` already)."""
        taken = [
            self._field_text(f, getattr(after, f)) if getattr(after, f) != () else f"no {f}"
            for f in _FIELD_LABELS
            if f in after.model_fields_set
            and (
                f == step
                or f not in before.model_fields_set
                or getattr(before, f) != getattr(after, f)
            )
        ]
        return f"Got it: {', '.join(taken)}." if taken else ""

    def nothing_to_save(self, stale: bool) -> Reply:
        text = (
            "That estimate is not the latest one, so I didn't save it. Ask again for the case "
            "you want, then tap Save."
            if stale
            else "There's nothing new to save: your profile already holds your answers."
        )
        return Reply(kind="info", text=text)

    def in_private(self, flow: str) -> Reply:
        """In a group: personal things open in the private chat, never in the group."""
        what = {
            "estimate": "A salary estimate",
            "profile": "Your profile",
            "offer": "Working out an offer",
            "compare": "Comparing offers",
            "forget": "Deleting your data",
        }[flow]
        return Reply(
            kind="info",
            text=f"{what} is personal, so let's do it in a private chat with me: tap below. "
            "Nothing about you is posted here.",
            choices=(Choice(label="🔒 Open a private chat", value=f"open:{flow}"),),
        )

    def _field_text(self, field: str, value: object) -> str:
        factors = self._knowledge.factors
        if value is None or value == ():
            return "not given"
        if field == "years":
            assert isinstance(value, float)
            return f"{value:g} year{'s' if value != 1 else ''}"
        if field == "education":
            return factors.education.get(value).label  # type: ignore[arg-type]
        if field == "employer":
            return factors.employers.get(value).label  # type: ignore[arg-type]
        if field == "skills":
            assert isinstance(value, tuple)
            return ", ".join(s.label.split(" (")[0] for s in map(factors.skills.get, value) if s)
        if isinstance(value, tuple):
            return ", ".join(value)
        return str(value)

    # The questionnaire ---------------------------------------------------------------------

    def questionnaire_intro(self) -> Reply:
        return Reply(
            kind="info",
            text="Let's estimate your salary. Six quick questions: tap an answer or type it. "
            "You can ask me anything along the way.",
        )

    def question(self, question: Question, choices: tuple[Choice, ...], current: object) -> Reply:
        text = question.prompt
        if current is not None:
            text += f"\n(Now: {self._field_text(question.step, current)})"
        return Reply(
            kind="question", text=text, choices=choices, asks_number=question.step == "years"
        )

    def not_understood(self, hint: str) -> Reply:
        return Reply(kind="info", text=f"Sorry, I couldn't read that as an answer. {hint}")

    # Offers ---------------------------------------------------------------------------------

    def offer_intro(self, comparing: bool) -> Reply:
        what = "two offers side by side, A then B" if comparing else "an offer's total compensation"
        return Reply(
            kind="info",
            text=f"Let's work out {what}: base salary plus bonus, retirement match, health "
            "insurance, paid time off and a continuing-education stipend. Type each amount as a "
            "number; keep a default if you don't know.",
        )

    def offer_question(self, step: OfferStep, which: str | None) -> Reply:
        prefix = f"Offer {which}: " if which else ""
        question = QUESTIONS[step]
        return Reply(
            kind="question",
            text=f"{prefix}{question.prompt}{default_text(step)}",
            choices=offer_choices(step),
            asks_number=True,
        )

    def offer_total(self, total: TotalCompensation) -> Reply:
        return Reply(kind="info", text=offer_text(total), choices=(ESTIMATE,))

    def offer_comparison(self, comparison: Comparison) -> Reply:
        return Reply(kind="info", text=comparison_text(comparison), choices=(ESTIMATE,))

    # The operator's view -------------------------------------------------------------------

    def stats(self, stats: Stats) -> Reply:
        asked = stats.answered + stats.unanswered
        share = f" ({stats.answered / asked:.0%} answered)" if asked else ""
        lines = [
            f"Users: {stats.users}",
            f"Estimates saved: {stats.estimates}",
            f"Questions: {asked}{share}, {stats.unanswered} unanswered",
        ]
        if stats.updates:
            lines.append(
                f"Webhook updates kept: {stats.updates}; taken over from a stopped replica: "
                f"{stats.taken_over}; of those, answered twice in part or whole: {stats.repeated}"
            )
        if stats.given_up:
            lines.append(
                f"Updates given up, as processes kept dying on them (ptcc db given-up lists "
                f"them): {stats.given_up}"
            )
        if stats.damaged:
            lines.append(
                f"Unreadable sessions set aside (those users started afresh): {stats.damaged}"
            )
        if stats.top_unanswered:
            lines += ["", "Most asked unanswered questions:"]
            lines += [f"{times}x {text}" for text, times in stats.top_unanswered]
        return Reply(kind="info", text="\n".join(lines))

    def operators_only(self) -> Reply:
        return Reply(kind="info", text="Sorry, that command is for the bot's operators.")

    # Housekeeping ----------------------------------------------------------------------------

    def confirm_forget(self) -> Reply:
        return Reply(
            kind="info",
            text="This deletes your profile, your answers and every estimate I saved for you. Are you sure?",
            choices=(
                Choice(label="Yes, delete everything", value="forget:yes"),
                Choice(label="No, keep it", value="forget:no"),
            ),
        )

    def forgotten(self) -> Reply:
        return Reply(
            kind="info",
            text="Done: I deleted everything I had stored about you.",
            choices=(ESTIMATE,),
        )

    def fresh_start(self) -> Reply:
        return Reply(
            kind="info",
            text="Sorry: I couldn't read what I had saved for you, so we're starting afresh. "
            "Your earlier answers may need to be given again.",
        )

    def privacy(self, retention: Retention) -> Reply:
        """What is kept, for how long, and how to delete it (Telegram asks bots for this)."""
        text = (
            "What I keep about you:\n"
            "- your answers to the salary questions, where you are in a questionnaire or offer, "
            "and up to 20 of your saved estimates, until you delete them or stop using me for "
            f"{retention.session_days} days;\n"
            "- questions I could not answer, without emails, phone numbers or names, for "
            f"{retention.question_days} days, so the operator can see what to add (the "
            "operator sees their text only, never who asked);\n"
            "- each message only until it is answered (one that made me crash again and again "
            f"is kept for the operator to see why, for {retention.question_days} days); its "
            "number for two days after, so a repeat is recognised.\n\n"
            "Nothing is shared or sold. /forget deletes all of it at once, straight away."
        )
        return Reply(kind="info", text=text)

    def cancelled(self, was_active: bool) -> Reply:
        text = "Cancelled. Nothing was changed." if was_active else "There's nothing to cancel."
        return Reply(kind="info", text=text + " What next?", choices=(ESTIMATE, TOPICS))

    def stale_button(self) -> Reply:
        return Reply(
            kind="info", text="That button belongs to an earlier message, so I ignored it."
        )

    def unknown_command(self, name: str) -> Reply:
        return Reply(kind="info", text=f"I don't know the command /{name[:30]}.\n\n{_COMMANDS}")


_WHAT_I_DO = (
    "I answer questions about the Physical Therapy Care Coordinator job: what the work "
    "involves, pay and what moves it, benefits, education and certifications, skills and the "
    "job outlook. I can also estimate your salary from a few questions. Try "
    '"what does a coordinator do?" or "what would I earn in Boston with 5 years?"'
)
_COMMANDS = (
    "Commands:\n/estimate - a personal salary estimate\n/profile - your answers and estimates\n"
    "/offer - an offer's total compensation\n/compare - two offers side by side\n"
    "/topics - browse what I know\n/forget - delete your data\n/privacy - what I keep, and "
    "for how long\n/cancel - stop the questionnaire\n/help - this message"
)


def _listed(names: list[str]) -> str:
    """ "A, B and C"."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
