"""The data that crosses between the advisor and its channels: events in, replies out,
and the per-user session the store keeps between messages.

Replies are plain text with choices; each channel decides how to show them (inline buttons
on Telegram, numbered options in the terminal). A choice's `value` is short and ASCII so it
fits Telegram's 64-byte callback data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from ptcc_core.estimator import Estimate
from ptcc_core.matcher import Candidate, ScopeProblem
from ptcc_core.profile import Profile

StepId = Literal["years", "education", "certifications", "location", "employer", "skills"]
STEPS: tuple[StepId, ...] = get_args(StepId)
OfferStep = Literal[
    "base",
    "bonus",
    "health_insurance",
    "pto_days",
    "ce_stipend",
    "match_rate_pct",
    "match_cap_pct",
    "contribution_pct",
]
OFFER_STEPS: tuple[OfferStep, ...] = get_args(OfferStep)
MAX_SAVED_ESTIMATES = 20

DeclineReason = ScopeProblem | Literal["known_unanswerable", "no_match"]
ReplyKind = Literal[
    "answer",
    "estimate",
    "levers",
    "unsure",
    "fallback",
    "small_talk",
    "question",
    "info",
    "profile",
]


class Choice(BaseModel):
    """A button: what it says, and the value the channel sends back when it is pressed."""

    model_config = ConfigDict(frozen=True)

    label: str
    value: str = Field(max_length=64, pattern=r"^[\x21-\x7e]+$")


class Reply(BaseModel):
    """One message to the user."""

    model_config = ConfigDict(frozen=True)

    kind: ReplyKind
    text: str
    choices: tuple[Choice, ...] = ()
    entry_id: str | None = None
    score: float = 0.0
    suggestions: tuple[Candidate, ...] = ()
    estimate: Estimate | None = None
    # The step asks for a number (years, an amount): a typed number is that number, not the
    # number of a choice, and the terminal names its choices instead of numbering them.
    asks_number: bool = False
    # For a decline, why (for operators' metrics): a scope problem ("role", "country", ...),
    # a known unanswerable question, or no entry close enough.
    declined: DeclineReason | None = None

    @property
    def matched(self) -> bool:
        return self.kind in ("answer", "estimate", "levers")


class SavedEstimate(BaseModel):
    """An estimate as kept in a user's history."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    low: int
    mid: int
    high: int
    profile: Profile


class Session(BaseModel):
    """Everything the advisor remembers about one user between messages."""

    model_config = ConfigDict(frozen=True)

    profile: Profile = Profile()
    step: StepId | None = None
    draft: Profile = Profile()
    editing: bool = False
    confirming_forget: bool = False
    estimates: tuple[SavedEstimate, ...] = ()
    offer_step: OfferStep | None = None
    offer_draft: dict[str, float] = Field(default_factory=dict)
    offer_a: dict[str, float] | None = None
    comparing: bool = False
    # What the last free-text reply was about, so a follow-up is read against it.
    last_entry: str | None = None
    last_estimate: Profile | None = None
    # An estimate made from details in a question: what "Save to my profile" would store.
    pending_save: Profile | None = None
    # The stored session could not be read and was set aside: say so once, kindly.
    set_aside: bool = False

    @field_serializer("draft")
    def _answered_only(self, draft: Profile) -> dict[str, object]:
        # Which questions were answered is which fields are set: keep that through storage.
        return draft.model_dump(mode="json", exclude_unset=True)


class Event(BaseModel):
    """Something a user did: typed text, pressed a button, or sent a command."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["text", "choice", "command"]
    value: str = Field(max_length=5000)
    at: datetime
    # False in a group: flows and anything personal then belong to the private chat.
    private: bool = True


class Outcome(BaseModel):
    """What handling an event produced: the replies, the new session, and whether the
    channel must delete everything it stores about the user."""

    model_config = ConfigDict(frozen=True)

    replies: tuple[Reply, ...]
    session: Session
    forget: bool = False
    # For a button press: the first reply takes the place of the message the button was on
    # (the next step, the chosen topic), instead of arriving as a new message.
    replaces: bool = False

    @property
    def answered(self) -> bool | None:
        """For a question the user asked: whether it was answered; None for anything else."""
        kind = self.replies[0].kind if self.replies else None
        if kind in ("answer", "estimate", "levers"):
            return True
        if kind in ("fallback", "unsure"):
            return False
        return None
