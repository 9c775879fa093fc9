"""What the bot keeps about people, and for how long: the retention periods, and the scrubbing
of unanswered questions before their text is kept for the operator.

Questions are kept only when the bot could not answer them, so the operator can see what
to add; people sometimes put their email, phone number or name in them, and those are
replaced before anything is stored. The patterns are hand-written because they are short and
specific to chat text; no library we use does this.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Seven or more digits, with the separators people type: +1 (617) 555-0123, 617.555.0123.
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{5,}\d(?!\w)")
# "my name is Ana", "I'm Ana Lopez", "this is Sam", "call me Jo", signed "- Ana" or "thanks, Ana".
_NAME = re.compile(
    r"(?P<lead>(?i:\b(?:my name is|my name's|i am|i'm|im|this is|call me|name:|"
    r"thanks|thank you|regards|cheers|best)|-)\s*,?\s+)"
    r"(?P<name>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?)"
)
# Words that follow "I'm" and are no name: "I'm new", "I'm a coordinator", "I'm in Boston".
_NOT_NAMES = frozenset(
    [
        "a",
        "an",
        "the",
        "in",
        "at",
        "from",
        "new",
        "not",
        "so",
        "very",
        "just",
        "currently",
        "looking",
        "trying",
        "working",
        "thinking",
        "wondering",
        "curious",
        "interested",
        "considering",
        "planning",
        "hoping",
        "going",
        "getting",
        "nervous",
        "starting",
        "about",
        "still",
        "also",
        "really",
    ]
)


class Retention(BaseModel):
    """How long kept things stay: unanswered questions (their scrubbed text) and the session
    of someone who stopped using the bot."""

    model_config = ConfigDict(frozen=True)

    question_days: int = Field(default=90, ge=1, le=3650)
    session_days: int = Field(default=365, ge=1, le=3650)


def scrub(text: str) -> str:
    """The text with emails, phone numbers and names replaced by [email], [phone], [name]."""
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub(
        lambda m: "[phone]" if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text
    )

    def name(match: re.Match[str]) -> str:
        first = match.group("name").split()[0].lower()
        # Only capitalised words are taken for a name: "I'm Ana", not "I'm stuck".
        if first in _NOT_NAMES:
            return match.group()
        return f"{match.group('lead')}[name]"

    return _NAME.sub(name, text)
