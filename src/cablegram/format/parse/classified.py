"""The "Classified By" block (FORMAT §3.10): name, title, normalised reasons."""

from __future__ import annotations

import re
from functools import cache

from cablegram.lexicon import titles
from cablegram.model import ClassifiedBy

_LEAD = re.compile(r"^\s*(?:\(U\)\s*)?CLASSIFIED\s+BY\s*[:.]?\s*", re.I)
# Where the reasons start: "for reasons", "reason:", "per", "E.O.", a bare 1.4/1.5, DSCG.
# A run of separators is tried from its first character only: from each, the run
# would be taken to its end and given back one by one (quadratic).
_REASON_START = re.compile(
    r"(?<![\s,;:.])[\s,;:.]*(?:\b(?:for|per|under)\s+)?(?:\breasons?\b|\bE\.?\s?O\.?\s*\d{5}|\b1\s?\.\s?[45]\b|\bDSCG\b)",
    re.I,
)
_SECTION_LETTERS = re.compile(
    r"\b1\s?\.\s?(?P<sec>[45])\s*(?P<letters>\(?\s*[a-h]\s*\)?(?:\s*(?:,|and|&|/|or)?\s*\(?\s*[a-h]\s*\)?(?![a-z]))*)",
    re.I,
)
_DSCG = re.compile(
    r"\bDSCG\s+[\d-]+\s*(?P<letters>[a-h](?:\s*(?:,|and|&|/)?\s*[a-h](?![a-z]))*)", re.I
)
_LETTER = re.compile(r"(?<![a-z])[a-h](?![a-z])", re.I)
_OFFICE = re.compile(r"^[A-Z]{2,5}(?:/[A-Z]{1,5})*$")


@cache
def _title_words() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(t.lower().split()) for t in titles())


@cache
def _titles_by_word(last: bool) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Title phrases by their first (or last) word, each list in _title_words order."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for t in _title_words():
        out.setdefault(t[-1] if last else t[0], []).append(t)
    return {k: tuple(v) for k, v in out.items()}


_MODIFIERS = ("acting", "deputy", "senior", "a/", "interim", "assistant")


def _title_prefix(words: list[str]) -> int:
    """Number of leading words that form a title (modifiers, office, title phrase).

    A title phrase may itself begin with a word that is also a modifier
    ("Deputy Chief of Mission"), so the phrase is tried from the first word
    before the modifiers are skipped.
    """
    low = [w.lower().strip(",") for w in words]
    i = 0
    while i < len(low) and low[i] in _MODIFIERS:
        i += 1
    starts = [0] if i else []
    starts.append(i)
    # an office may precede the title: "EAP DAS", "NEA/ARP Director"
    if i < len(words) and _OFFICE.match(words[i].strip(",")):
        starts.append(i + 1)
    by_first = _titles_by_word(False)
    for start in starts:
        for t in by_first.get(low[start], ()) if start < len(low) else ():
            if tuple(low[start : start + len(t)]) == t:
                return start + len(t)
    return 0


def _title_suffix(words: list[str]) -> int:
    low = [w.lower().strip(",") for w in words]
    for t in _titles_by_word(True).get(low[-1], ()) if low else ():
        if len(t) < len(low) and tuple(low[-len(t) :]) == t:
            return len(t)
    return 0


def split_name_title(who: str) -> tuple[str | None, str | None]:
    who = " ".join(who.strip(" ,;:.").split())
    if not who:
        return None, None
    if "," in who:
        first, rest = (p.strip() for p in who.split(",", 1))
        fw = first.split()
        n = _title_prefix(fw)
        if n and n < len(fw):
            return " ".join(fw[n:]), " ".join(fw[:n])
        if n == len(fw):  # "Ambassador, John Smith"? keep title first
            return rest or None, first
        return first, rest or None
    words = who.split()
    n = _title_prefix(words)
    if n and n < len(words):
        return " ".join(words[n:]), " ".join(words[:n])
    m = _title_suffix(words)
    if m:
        return " ".join(words[:-m]), " ".join(words[-m:])
    return who, None


def reasons_of(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for m in _SECTION_LETTERS.finditer(text):
        for letter in _LETTER.findall(m["letters"]):
            r = f"1.{m['sec']}({letter.lower()})"
            if r not in out:
                out.append(r)
    if not out:
        for m in _DSCG.finditer(text):  # derivative: the guide cites 1.4 categories
            for letter in _LETTER.findall(m["letters"]):
                r = f"1.4({letter.lower()})"
                if r not in out:
                    out.append(r)
    return tuple(out)


def read_classified_by(block: list[str]) -> ClassifiedBy:
    text = " ".join(" ".join(block).split())
    body = _LEAD.sub("", text)
    m = _REASON_START.search(body)
    who = body[: m.start()] if m else body
    name, title = split_name_title(who)
    return ClassifiedBy(name=name, title=title, reasons=reasons_of(body), text=text)
