"""The "Classified By" block (FORMAT §3.10): name, title, office, normalised reasons.

Forms seen in real cables: title then name (``Acting Deputy Chief of Mission
Marc Wall``, ``AMBASSADOR TO SUDAN TIMOTHY CARNEY``), name then title
(``THOMAS W. SIMONS, JR., AMBASSADOR``: the suffix stays in the name), an
office symbol (``AF/C - MARY BETH LEONARD``, ``EUR/RPM Director Bruce
Turner``), and the 1990s forms inside paragraph 1 (``1. CONFIDENTIAL - ENTIRE
TEXT. CLASSIFIED BY: CHRISTOPHER W.S. ROSS, AMBASSADOR. REASON: 1.5 (D).``,
``CLASSIFIED BY DCM THEODORE KATTOUF - 1.5 B,D.``).  Reasons are E.O. 12958 and
13526 sections 1.4/1.5 with letters, and E.O. 12356's 1.3(a)(1)-(10).
"""

from __future__ import annotations

import re
from functools import cache

from cablegram.lexicon import country_codes, titles
from cablegram.model import ClassifiedBy

_LEAD = re.compile(r"^\s*(?:\(U\)\s*)?CLASSIFIED\s+BY\s*[:.]?\s*", re.I)
# Where the reasons start: "for reasons", "reason:", "per", "E.O.", a bare
# 1.3/1.4/1.5, DSCG.  "Reason(s)" counts only before a section or a colon
# (a name may be Reason).  A run of separators is tried from its first
# character only: from each, the run would be taken to its end and given back
# one by one (quadratic).
_REASON_START = re.compile(
    r"(?<![\s,;:.-])[\s,;:.-]*(?:\b(?:for|per|under)\s+)?"
    r"(?:\breasons?\b(?=\s*(?:[:.,]\s*)?(?:\d|\(|E\.?\s?O|sections?\b|$))|\bE\.?\s?O\.?\s*\d{5}"
    r"|\b1\s?\.\s?[345]\b|\bDSCG\b)",
    re.I,
)
_SECTION_LETTERS = re.compile(
    r"\b1\s?\.\s?(?P<sec>[45])\s*(?P<letters>\(?\s*[a-h]\s*\)?(?:\s*(?:,|and|&|/|or)?\s*\(?\s*[a-h]\s*\)?(?![a-z]))*)",
    re.I,
)
# E.O. 12356: 1.3 (A)(4), 1.3(A)(1) AND (4), 1.3 (A) 4.
_SECTION_13 = re.compile(
    r"\b1\s?\.\s?3\s*\(?\s*a\s*\)?\s*(?P<nums>\(?\s*\d{1,2}\s*\)?(?:\s*(?:,|and|&|/)?\s*\(\s*\d{1,2}\s*\))*)",
    re.I,
)
_DSCG = re.compile(
    r"\bDSCG\s+[\d-]+\s*(?P<letters>[a-h](?:\s*(?:,|and|&|/)?\s*[a-h](?![a-z]))*)", re.I
)
_LETTER = re.compile(r"(?<![a-z])[a-h](?![a-z])", re.I)
_NUMBER = re.compile(r"\d{1,2}")
# An office written as a word before a title (EAP DAS, NEA/ARP Director).
_OFFICE = re.compile(r"^[A-Z]{2,5}(?:/[A-Z0-9]{1,6})*$")
# An office symbol set before the name or title: AF/C - MARY BETH LEONARD.
_OFFICE_LEAD = re.compile(r"^(?P<office>[A-Z]{1,6}(?:/[A-Z0-9]{1,8})+)(?:\s*[-–:,]\s*|\s+)(?=\S)")
_SUFFIX = re.compile(r"^(?:JR|SR|II|III|IV)\.?$", re.I)
# "1. CONFIDENTIAL - ENTIRE TEXT. CLASSIFIED BY ...": how far into a paragraph.
_CLBY_IN = re.compile(r"\bCLASSIFIED\s+BY\b", re.I)
_CLBY_REACH = 160
_SENTENCE_END = re.compile(r"\.(?=\s|$)")


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


@cache
def _countries() -> tuple[tuple[str, ...], ...]:
    """Country names as lower-case words, longest first (``Ambassador to Sudan``)."""
    names = {tuple(n.lower().replace(",", "").split()) for n in country_codes().values()}
    return tuple(sorted((n for n in names if n), key=len, reverse=True))


_MODIFIERS = ("acting", "deputy", "senior", "a/", "interim", "assistant")


def _posted_to(low: list[str], at: int) -> int:
    """Words of ``to [the] <country>`` from ``low[at]`` on (0 when none)."""
    if at >= len(low) or low[at] != "to":
        return 0
    k = at + 1 + (at + 1 < len(low) and low[at + 1] == "the")
    for country in _countries():
        if tuple(low[k : k + len(country)]) == country:
            return k + len(country) - at
    return 0


def _title_prefix(words: list[str]) -> tuple[int, int | None]:
    """(words of the title, index of an office word among them or None) at the
    start of ``words``.

    Modifiers (Acting, Deputy) may precede the title phrase, and a phrase may
    itself begin with a modifier (Deputy Chief of Mission): the phrase is tried
    from each modifier on, longest phrases first.  An office may precede the
    title phrase (EAP DAS, Acting AIT Director); ``to <country>`` may follow it
    (Ambassador to Sudan).
    """
    low = [w.lower().strip(",") for w in words]
    i = 0
    while i < len(low) and low[i] in _MODIFIERS:
        i += 1
    starts: list[tuple[int, int | None]] = [(s, None) for s in range(i + 1)]
    # an office may precede the title: "EAP DAS", "NEA/ARP Director"
    if i < len(words) and _OFFICE.match(words[i].strip(",")):
        starts.append((i + 1, i))
    by_first = _titles_by_word(False)
    best: tuple[int, int | None] = (0, None)
    for start, office in starts:
        for t in by_first.get(low[start], ()) if start < len(low) else ():
            if tuple(low[start : start + len(t)]) == t:
                end = start + len(t)
                end += _posted_to(low, end)
                if end > best[0]:
                    best = (end, office)
                break  # the longest phrase from this start
    return best


def _title_and_office(words: list[str], n: int, office: int | None) -> tuple[str, str | None]:
    """The title words ``words[:n]`` without the office word, and the office."""
    if office is None:
        return " ".join(words[:n]), None
    return " ".join(words[:office] + words[office + 1 : n]), words[office].strip(",")


def _title_suffix(words: list[str]) -> int:
    low = [w.lower().strip(",") for w in words]
    for t in _titles_by_word(True).get(low[-1], ()) if low else ():
        if len(t) < len(low) and tuple(low[-len(t) :]) == t:
            return len(t)
    return 0


def _words_title(words: list[str]) -> tuple[str | None, str | None, str | None]:
    """(name, title, office) of words without a comma between name and title."""
    n, office = _title_prefix(words)
    if n and n < len(words):
        title, office_word = _title_and_office(words, n, office)
        return " ".join(words[n:]), title, office_word
    m = _title_suffix(words)
    if m:
        return " ".join(words[:-m]), " ".join(words[-m:]), None
    return " ".join(words), None, None


def split_who(who: str) -> tuple[str | None, str | None, str | None]:
    """(name, title, office) of the words before the reasons."""
    who = " ".join(who.strip(" ,;:.-–").split())
    if not who:
        return None, None, None
    office = None
    # An office symbol opens the line (AF/C - NAME), unless it opens a title
    # phrase itself (Pol/Econ Chief, P/E Chief).
    n, office_at = _title_prefix(who.split())
    if (m := _OFFICE_LEAD.match(who)) and not (n and office_at is None):
        office, who = m["office"], who[m.end() :].strip(" ,;:.-–")
    if "," in who:
        first, rest = (p.strip() for p in who.split(",", 1))
        # THOMAS W. SIMONS, JR., AMBASSADOR: the suffix belongs to the name.
        head, _, tail = rest.partition(",")
        if _SUFFIX.match(head.strip()):
            first, rest = f"{first}, {head.strip()}", tail.strip()
        fw = first.split()
        n, office_at = _title_prefix(fw)
        if n and n < len(fw):
            title, found = _title_and_office(fw, n, office_at)
            return " ".join(fw[n:]), title, office or found
        if n == len(fw) and rest:  # "Ambassador, John Smith"? keep title first
            title, found = _title_and_office(fw, n, office_at)
            return rest, title, office or found
        return first, rest or None, office
    name, plain_title, found = _words_title(who.split())
    return name, plain_title, office or found


def split_name_title(who: str) -> tuple[str | None, str | None]:
    """(name, title) of the words before the reasons (the office left with the title)."""
    name, title, office = split_who(who)
    if office and title:
        title = f"{office} {title}"
    return name, title or office


def reasons_of(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for m in _SECTION_LETTERS.finditer(text):
        for letter in _LETTER.findall(m["letters"]):
            r = f"1.{m['sec']}({letter.lower()})"
            if r not in out:
                out.append(r)
    for m in _SECTION_13.finditer(text):  # E.O. 12356 categories
        for number in _NUMBER.findall(m["nums"]):
            r = f"1.3(a)({int(number)})"
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
    name, title, office = split_who(who)
    return ClassifiedBy(name=name, title=title, reasons=reasons_of(body), text=text, office=office)


def classified_by_in(paragraph: str) -> str | None:
    """The "Classified By" clause near the start of a paragraph (1990s cables
    put it in paragraph 1, after a whole-text mark): from CLASSIFIED BY to the
    end of its reasons, or of its sentence after the name."""
    m = _CLBY_IN.search(paragraph, 0, _CLBY_REACH)
    if m is None:
        return None
    clause = paragraph[m.start() :]
    reasons = [*_SECTION_LETTERS.finditer(clause), *_SECTION_13.finditer(clause)]
    reasons = [r for r in reasons if r.start() < _CLBY_REACH]
    if reasons:
        end = max(r.end() for r in reasons)
        while end < len(clause) and clause[end] in ").":
            end += 1
        return clause[:end].strip()
    # No reasons: the clause ends with the sentence after the name.
    stops = [s.end() for s in _SENTENCE_END.finditer(clause) if s.start() > len(m[0]) + 3]
    return clause[: stops[0]].strip() if stops else clause.strip()
