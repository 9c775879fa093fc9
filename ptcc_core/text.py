"""Text normalisation shared by the matcher and the extractor, and a message's sentences.

Users type "NYC", "401(k)", "$45k", "salery" or "D.C."; knowledge files say "New York",
"401(k)", "$45,000", "salary" and "Washington, D.C.". Both sides go through `normalize`, so
they meet in one vocabulary: lower case, no punctuation, abbreviations spelled out, common
misspellings fixed, numbers written without separators. A message of several sentences is
also split into them, and the ones that ask told from the ones that give context.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)

# Whole-word rewrites applied after punctuation is gone. Keys are single normalised tokens.
_REWRITES: dict[str, str] = {
    # abbreviations
    "nyc": "new york city",
    "sf": "san francisco",
    "la": "los angeles",
    "pt": "physical therapy",
    "pta": "physical therapist assistant",
    "ot": "occupational therapy",
    "pto": "paid time off",
    "yrs": "years",
    "yr": "year",
    "yoe": "years",
    "exp": "experience",
    "approx": "approximately",
    "avg": "average",
    "ave": "average",
    "docs": "documents",
    "doc": "document",
    "eval": "evaluation",
    "evals": "evaluations",
    "info": "information",
    "appt": "appointment",
    "appts": "appointments",
    "mgr": "manager",
    "mgmt": "management",
    "biz": "business",
    "admin": "administrative",
    "govt": "government",
    "gov": "government",
    "hr": "hour",
    "hrs": "hours",
    "pls": "please",
    "wat": "what",
    "thru": "through",
    "ther": "there",
    "mngr": "manager",
    "u": "you",
    "tho": "though",
    "cuz": "because",
    "bc": "because",
    "wut": "what",
    "wht": "what",
    "hw": "how",
    "wud": "would",
    "wld": "would",
    "cud": "could",
    "shud": "should",
    "ppl": "people",
    "plz": "please",
    "thx": "thanks",
    "ty": "thanks",
    "ur": "your",
    "r": "are",
    "w": "with",
    "b4": "before",
    "coord": "coordinator",
    "coords": "coordinators",
    "dept": "department",
    "ins": "insurance",
    "med": "medical",
    "sal": "salary",
    "%": "percent",
    "physio": "physical therapy",
    "physiotherapy": "physical therapy",
    "cert": "certification",
    "certs": "certifications",
    "certif": "certification",
    "bachelors": "bachelor",
    "bachelor's": "bachelor",
    "associates": "associate",
    # numbers in words, so "two years" and "2 years" meet
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    # misspellings seen in chat
    "salery": "salary",
    "sallary": "salary",
    "salaray": "salary",
    "salry": "salary",
    "slary": "salary",
    "coordinater": "coordinator",
    "cordinator": "coordinator",
    "coordiantor": "coordinator",
    "coordnator": "coordinator",
    "cooridnator": "coordinator",
    "insurence": "insurance",
    "insurace": "insurance",
    "insruance": "insurance",
    "experiance": "experience",
    "expirience": "experience",
    "experence": "experience",
    "certifcation": "certification",
    "certificaton": "certification",
    "recieve": "receive",
    "schedual": "schedule",
    "scheduel": "schedule",
    "shedule": "schedule",
    "bouns": "bonus",
    "bonuss": "bonus",
    "benifits": "benefits",
    "benefts": "benefits",
    "retirment": "retirement",
    "hospitol": "hospital",
    "therapyst": "therapist",
    "thearpist": "therapist",
    "clinc": "clinic",
    "buisness": "business",
    "bussiness": "business",
    "francisco": "francisco",
    "fransisco": "francisco",
    "fransico": "francisco",
    "bostn": "boston",
    "wahsington": "washington",
}

_THOUSAND_RANGE = re.compile(r"\b(\d{1,3})\s*(?:to|-|and)\s*(\d{1,3})\s*(?:k|thousand)\b")
_THOUSAND = re.compile(r"\b(\d{1,3})\s*thousand\b")
_MONEY_K = re.compile(r"\$?\b(?!40[13]\s?k)(\d{1,3}(?:\.\d)?)\s?k\b")
_THOUSANDS = re.compile(r"(?<=\d)[,  ](?=\d{3}\b)")
_PLANS = re.compile(r"\b(401|403)\s*\(?\s*([kb])(?![a-z])(?:\s*\))?", re.IGNORECASE)
_DOTTED = re.compile(r"\b([a-z])\.([a-z])\.(?:([a-z])\.)?")
# A decimal point between digits stays: "6.5 years" is not "6 5 years".
# The only characters normalised text holds, besides the spaces between its words.
WORD_CHARACTERS = "a-z0-9%."
_NON_WORD = re.compile(rf"(?:(?<!\d)\.|\.(?!\d)|[^{WORD_CHARACTERS}])+")
_PERCENT = re.compile(r"(\d)\s*(?:%|percent|per cent)")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# "Got an offer in DC, is the pay better there": news that comes with a question is a question.
QUESTION_WORDS = frozenset(
    [
        "is",
        "are",
        "was",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "what",
        "whats",
        "which",
        "who",
        "why",
        "when",
        "where",
        "how",
    ]
)
# A sentence that opens with one of these asks, whether or not it ends with "?".
_ASK_OPENERS = QUESTION_WORDS | frozenset(
    ["any", "tell", "explain", "describe", "list", "name", "give"]
)
# Fewer words than this is an ask that leans on its context ("Is that true?"), as is an ask
# that points back at it ("How much more do they make there?").
_MIN_ASK_WORDS = 4
_POINTERS = frozenset(["there", "that", "it", "those", "these", "such"])


def sentences(text: str) -> list[str]:
    """The sentences of a message, split after ".", "!" or "?" and at line breaks."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def asking_part(text: str) -> str | None:
    """The sentences of a message that ask, when others only give context ("I've worked a
    hotel front desk for years. What skills carry over?"); None when every sentence asks, none
    does, or the asks cannot stand without their context."""
    parts = sentences(text)
    if len(parts) < 2:
        return None
    asking = [
        s
        for s in parts
        if s.rstrip().endswith("?") or normalize(s).split(" ", 1)[0] in _ASK_OPENERS
    ]
    if not asking or len(asking) == len(parts):
        return None
    part = " ".join(asking)
    words = normalize(part).split()
    return part if len(words) >= _MIN_ASK_WORDS and not _POINTERS.intersection(words) else None


def _expand_k(match: re.Match[str]) -> str:
    return str(round(float(match.group(1)) * 1000))


def normalize(text: str) -> str:
    """Lower-case, de-punctuated text with abbreviations and misspellings rewritten."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = _PLANS.sub(lambda m: f"{m.group(1)}{m.group(2).lower()}", text)
    text = _DOTTED.sub(lambda m: "".join(g for g in m.groups() if g), text)
    text = _THOUSANDS.sub("", text)
    text = _THOUSAND_RANGE.sub(r"\g<1>000 to \g<2>000", text)
    text = _THOUSAND.sub(r"\g<1>000", text)
    text = _MONEY_K.sub(_expand_k, text)
    text = _PERCENT.sub(r"\1 percent", text)
    text = text.replace("'s ", " ").replace("'", "")
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(_REWRITES.get(w, w) for w in words)


class Phrases(dict[str, str]):
    """A normalised phrase -> value table that knows its longest phrase (in words)."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self.longest = max((phrase.count(" ") + 1 for phrase in self), default=0)
        self.first_words = frozenset(phrase.split(" ", 1)[0] for phrase in self)


def phrase_table(pairs: Iterable[tuple[str, str]]) -> Phrases:
    """A phrase -> value table for find_phrases, with each phrase normalised."""
    normalized = ((normalize(phrase), value) for phrase, value in pairs)
    return Phrases((phrase, value) for phrase, value in normalized if phrase)


def _scan(words: list[str], phrases: Phrases) -> Iterator[tuple[int, int, str | None]]:
    """(start, length, value) for each phrase found, longest first, and (start, 1, None) for
    each word outside any phrase."""
    i = 0
    while i < len(words):
        if words[i] not in phrases.first_words:
            yield i, 1, None
            i += 1
            continue
        for size in range(min(phrases.longest, len(words) - i), 0, -1):
            value = phrases.get(" ".join(words[i : i + size]))
            if value is not None:
                yield i, size, value
                i += size
                break
        else:
            yield i, 1, None
            i += 1


def find_phrases(normalized: str, phrases: Phrases) -> list[tuple[int, str]]:
    """(position, value) of each phrase found as whole words in normalized text, in order.

    A longer phrase wins over a shorter one inside it.
    """
    return [(i, v) for i, _, v in _scan(normalized.split(), phrases) if v is not None]


def replace_phrases(words: list[str], phrases: Phrases) -> list[str]:
    """The words with each phrase found replaced by its value."""
    return [v if v is not None else words[i] for i, _, v in _scan(words, phrases)]
