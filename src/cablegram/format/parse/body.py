"""The body: numbered paragraphs with portion marks, summary, signature
(FORMAT §3.3, §3.11, §3.12, §8 step 4-5).

Page markers, repeated classification lines of later sections, centred
banners and transmission trailers are skipped without splitting a paragraph;
unnumbered text after a numbered paragraph (continuations, headings) belongs
to it.  A number ``1N`` where ``N`` is expected is a lost anchor rendered as a
digit (``15. (SBU)`` for paragraph 5).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cablegram.format.parse.lines import (
    PARA_START,
    is_banner,
    is_page_noise,
    match_classification_line,
)
from cablegram.format.parse.summary import read_summary
from cablegram.lexicon import captions
from cablegram.lexicon.marks import WHOLE_TEXT_MARK, normalize_mark
from cablegram.model import Defect, Paragraph

_MARK = re.compile(r"^\(\s*(?P<mark>[A-Za-z/ ,-]{1,24}?)\s*\)\s*[.:-]?\s*")
# Blanks before it from the first blank of a run only ((?<!\s)): from each, \s*
# would take the rest of the run every time (quadratic).
_SIPDIS_TOKEN = re.compile(r"(?:(?<!\s)\s+)?\bSIPDIS\b\s*")
_SIGNER = re.compile(r"^[A-Z][A-Za-z'’-]{1,20}(?:\s[A-Z][A-Za-z'’-]+)?\s*$")
# A surname after the last sentence of a reflowed last line ("... Munich. Murphy").
_INLINE_SIGNER = re.compile(r"(?:(?<=[.)!?\"])\s+|\S\s{3,})(?P<name>[A-Z][A-Za-z'’-]{1,20})\s*$")
# A paragraph number whose line break was lost: "... grow. 12. (C) Ambassador".
_MIDLINE_PARA = re.compile(
    r"(?<=[.!?\")])\s+(?=(?P<num>\d{1,2})\.\s+(?:\([A-Z/ ]{1,14}\)\s*)?[A-Z])"
)
_NOT_SIGNERS = frozenset(
    {"NNNN", "NNN", "BT", "THANKS", "REGARDS", "END", "UNQTE", "QTE", "NOTE", "COMMENT", "SUMMARY"}
)
_SUMMARY = re.compile(
    r"(?:^|(?<=[\s.)]))(?:BEGIN\s+)?SUMMARY(?:\s+AND\s+COMMENT)?\s*(?:[:.-]+|\s*\n)\s*(?P<text>.*?)"
    r"(?:\s*\(?\bEND\s+(?:OF\s+)?SUMMARY(?:\s+AND\s+COMMENT)?\b[.)]*|\n\n|\Z)",
    re.I | re.S,
)


@dataclass
class Body:
    paragraphs: list[Paragraph] = field(default_factory=list)
    summary: str | None = None
    signers: list[str] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # index of each paragraph's first line
    signer_line: int | None = None


# Every noise line opens like one of these (page markers, PAGE headers, counter
# lines, BT/NNNN/#ssn, classification words plain or spaced, SIPDIS); prose
# lines almost never do, so one match spares the detailed checks.
_NOISE_OPENINGS = (
    r"PAGE\s|-{5}|NNN|BT\s*$|#\d|SIPDIS\s*$|\S.{0,10}?\s\d{8}\s"
    r"|T\s?O\s?P\s|S\s?E\s?C\s?R\s?E\s?T|C\s?O\s?N\s?F|U\s?N\s?C\s?L|L\s?I\s?M\s?I\s?T"
)
_NOISE_START = re.compile(rf"\s*(?:{_NOISE_OPENINGS})", re.I)


def _is_noise(line: str, own: tuple[str, int] | None) -> bool:
    s = line.lstrip()
    if len(s) > 90 or not _NOISE_START.match(s):
        return False
    if is_page_noise(line) or is_banner(line):
        return True
    s = s.rstrip()
    if s.upper() == "SIPDIS":
        return True
    c = match_classification_line(line) if s[:1].isalpha() else None
    return c is not None and own is not None and (c.origin, c.serial) == own


class _Para:
    __slots__ = ("blocks", "line", "marking", "number")

    def __init__(self, number: int | None, marking: str | None, line: int) -> None:
        self.number, self.marking, self.line = number, marking, line
        self.blocks: list[list[str]] = [[]]

    def add(self, text: str) -> None:
        self.blocks[-1].append(text)

    def gap(self) -> None:
        if self.blocks[-1]:
            self.blocks.append([])

    def text(self) -> str:
        return "\n\n".join(fold(" ".join(b)) for b in self.blocks if b)


# Blanks other than the space that str.split() folds (every str.isspace character).
_OTHER_BLANKS = (
    *"\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000",
    *(chr(c) for c in range(0x2000, 0x200B)),
)


def fold(text: str) -> str:
    """``" ".join(text.split())``: blanks folded to single spaces, none at the ends.

    Text whose only blanks are spaces (most paragraphs) is folded by replacing
    double spaces, which is several times cheaper than splitting it into words.
    """
    if (
        not (
            "\n" in text
            or "\t" in text
            or "\r" in text
            or "\x0b" in text
            or "\x0c" in text
            or "\x1c" in text
            or "\x1d" in text
            or "\x1e" in text
            or "\x1f" in text
        )
        if text.isascii()
        else not any(blank in text for blank in _OTHER_BLANKS)
    ):
        # Two spaces after a sentence are the rule: replace before the first test.
        text = text.replace("  ", " ")
        while "  " in text:
            text = text.replace("  ", " ")
        return text.strip(" ")
    return " ".join(text.split())


def _number(num: str, expected: int, anchored: bool, marked: bool) -> int | None:
    """The paragraph number a written ``num`` stands for, None when it is not a paragraph.

    WikiLeaks anchored every line starting ``N.``, so an anchor alone does not
    make a paragraph: numbered lists inside a paragraph restart at 1.  Forward
    jumps are accepted when small or portion-marked; backward numbers only
    with a portion mark.
    """
    n = int(num)
    if n == expected:
        return n
    if len(num) >= 2 and num[0] == "1" and int(num[1:]) == expected:
        return expected  # lost anchor rendered as a digit: 15. -> 5.
    if n >= 100:
        return None
    if marked and (n > expected or expected - n > 1):
        return n
    if anchored and expected < n <= expected + 2:
        return n
    return None


# The number of PARA_START alone (its rest, ``.*$``, matches any line).
_PARA_NUMBER = re.compile(r"\s*(?:¶\s?)?(?P<num>\d{1,3})\s?\.(?!\d)")


def _split_midline(line: str, expected: int) -> list[str]:
    """Split a line at a lost paragraph break whose number is the expected one."""
    # Only the expected number (or the next, after a paragraph head) can split.
    if len(line) < 40 or (f"{expected}." not in line and f"{expected + 1}." not in line):
        return [line]
    head = _PARA_NUMBER.match(line)
    if head and int(head["num"]) == expected:
        expected += 1  # the line opens the expected paragraph itself
    if f"{expected}." not in line:  # the first split needs it: no search of the line
        return [line]
    out: list[str] = []
    pos = 0
    for m in _MIDLINE_PARA.finditer(line):
        if int(m["num"]) != expected:
            continue
        out.append(line[pos : m.start()])
        pos = m.end()
        expected += 1
    out.append(line[pos:])
    return out


# A line that needs more than being added to the current paragraph: blank, a
# paragraph number or anchor, or the opening of a noise line.  Everything else
# (most lines of a cable) is plain text and takes the fast path of read_body.
_SPECIAL = re.compile(rf"\s*(?:$|¶|\d|{_NOISE_OPENINGS})", re.I)
# First characters that open neither a paragraph number nor a noise line, except a
# page marker (which ends in a digit): a line that starts with one and does not
# end in a digit or blank is plain without trying _SPECIAL.  (PAGE, NNNN and BT
# count upper case only, so lower-case p, n and b are plain first characters.)
_PLAIN_FIRST = frozenset("AaDdEeFfGgHhIiJjKkMmOoQqRrVvWwXxYyZzbnp\"'()[]*/.,;:!?&%$@=+<>_`~^{}|\\")
# A line opening with T, S, C, U or L is noise only as a classification banner
# or line (TOP, SECRET, CONFIDENTIAL, UNCLAS..., LIMITED: second letter O, E, O,
# N, I, after one blank in the spaced forms) or SIPDIS; letters as re.I folds them.
_CLASS_SECOND = {
    **dict.fromkeys("Tt", "Oo"),
    **dict.fromkeys("Ss", "EeIi\u0131"),
    **dict.fromkeys("Cc", "Oo"),
    **dict.fromkeys("Uu", "Nn"),
    **dict.fromkeys("Ll", "Ii\u0131"),
}


def _opens_paragraph(line: str) -> bool:
    """``line`` opens with a digit or ``¶`` and cannot be noise: of the noise
    lines only a page marker opens so, and it ends in a digit."""
    first = line[0]
    return (first == "¶" or first.isdecimal()) and not (line[-1].isdecimal() or line[-1].isspace())


def _plain(line: str) -> bool:
    """``line`` (not blank) is neither a paragraph number nor noise, by its first
    characters and its last: the cheap test before _SPECIAL."""
    if line[-1].isdecimal() or line[-1].isspace():  # a page marker ends in a digit
        return False
    first = line[0]
    if first in _PLAIN_FIRST:
        return True
    second_letters = _CLASS_SECOND.get(first)
    if second_letters is None:
        return False
    second = line[1:2]
    if second.isspace():
        second = line[2:3]
    return bool(second) and second not in second_letters


_SIGN_RESIDUE = re.compile(r"(?<=[A-Za-z])[#.*]+\s*$")
_SENTENCE_ENDS = frozenset('.!?)"')


def _signature(last: str, above: str = "") -> tuple[str | None, str | None]:
    """(signer, what is left of the line) for the last line of the text.

    The whole line is the signer when it looks like a surname; a surname after
    the last sentence of a reflowed line is cut off it; otherwise no signer.
    One word with residue (``HORAN##``, ``MCNAMARA.``) is a surname when the
    line ``above`` it ended its sentence (else it ends that sentence: NOTHING.).
    """
    if " " not in last and (m := _SIGN_RESIDUE.search(last)):
        ended = not above.strip() or above.rstrip()[-1] in _SENTENCE_ENDS
        if ended or "#" in m[0]:
            last = last[: m.start()]
    word = last.split()[0].strip(".").upper() if last else ""
    if (
        _SIGNER.match(last)
        and word not in _NOT_SIGNERS
        and last.upper() not in captions()
        and not PARA_START.match(last)
    ):
        return last, None
    # The name is the last word, after the line's last run of blanks: the search
    # starts at that run (or the character before it), not at every character
    # of a long reflowed line.
    words = last.rsplit(None, 1)  # (the text before the last word, the last word)
    if len(words) == 2 and (m := _INLINE_SIGNER.search(last, max(len(words[0]) - 1, 0))):
        return m["name"], last[: m.start("name")].rstrip()
    return None, last


class _BodyReader:
    """The paragraphs of the body, one line at a time (see read_body)."""

    def __init__(self) -> None:
        self.paras: list[_Para] = []
        self.current: _Para | None = None
        self.expected = 1
        self.defects: list[Defect] = []

    def feed(self, i: int, line: str) -> None:
        """One line: split at lost paragraph breaks, then each piece read in turn."""
        current = self.current
        if (current is None or current.number is not None) and "." in line:
            parts = _split_midline(line, self.expected)
            if len(parts) > 1:
                self.read(i, parts[0])
                for part in parts[1:]:
                    self.feed(i, part)
                return
        self.read(i, line)

    def read(self, i: int, line: str) -> None:
        s = line.strip()
        current = self.current
        if not s:
            if current is not None:
                current.gap()
            return
        m = PARA_START.match(s)
        if m and len(m["num"]) <= 3:
            expected = self.expected
            rest = m["rest"]
            mk = _MARK.match(rest)
            marking = normalize_mark(mk["mark"]) if mk else None
            if mk is None and "ENTIRE" in rest and (whole := WHOLE_TEXT_MARK.match(rest)):
                # "1. CONFIDENTIAL - ENTIRE TEXT.": the marking, its words kept in the text.
                marking = normalize_mark(whole["mark"])
            n = _number(m["num"], expected, bool(m["anchor"]), marking is not None)
            if n is not None:
                if n != expected:
                    self.defects.append(
                        Defect(
                            "PARAGRAPH_NUMBER_OUT_OF_SEQUENCE",
                            f"paragraph {n}, expected {expected}",
                            i + 1,
                        )
                    )
                elif m["num"] != str(n):
                    self.defects.append(
                        Defect(
                            "PARAGRAPH_NUMBER_REPAIRED",
                            f"{m['num']}. read as {n}. (lost anchor)",
                            i + 1,
                        )
                    )
                if marking is not None and mk is not None:
                    rest = rest[mk.end() :]
                current = self.current = _Para(n, marking, i)
                self.paras.append(current)
                current.add(
                    _SIPDIS_TOKEN.sub(" ", rest).strip() if "SIPDIS" in rest else rest.strip()
                )
                self.expected = n + 1
                return
        if current is None:
            # An unnumbered paragraph may still open with its portion mark.
            mk = _MARK.match(s) if s[0] == "(" else None
            marking = normalize_mark(mk["mark"]) if mk else None
            if marking is not None and mk is not None:
                s = s[mk.end() :]
            current = self.current = _Para(None, marking, i)
            self.paras.append(current)
        current.add(_SIPDIS_TOKEN.sub(" ", s).strip() if "SIPDIS" in s else s)


def trailing_text_end(lines: list[str], start: int, own: tuple[str, int] | None) -> int:
    """Where the text ends: before trailing blank and noise lines, and before a
    lone token after the closing classification banner (teletype residue such
    as ``NMAFVVZCZ`` under a 1970s copy's last banner)."""
    stop = len(lines)
    while True:
        while stop > start and (not lines[stop - 1].strip() or _is_noise(lines[stop - 1], own)):
            stop -= 1
        if stop <= start or len(lines[stop - 1].split()) != 1:
            return stop
        above = stop - 2
        while above >= start and not lines[above].strip():
            above -= 1
        if above < start or not is_banner(lines[above]):
            return stop
        stop = above + 1  # the residue goes; the banner above it is noise


def read_body(lines: list[str], start: int, own: tuple[str, int] | None) -> Body:
    """Paragraphs, summary and signers of ``lines[start:]``.

    Noise lines (page markers, later sections' classification lines, banners,
    transmission trailers) are skipped; the signature is the last line left.
    A plain line - not blank, no paragraph number, no noise opening, no lost
    paragraph break - is only added to the current paragraph: one regex match
    decides that, and every other line goes through :class:`_BodyReader`.
    """
    body = Body()
    # Trailing blank and noise lines do not count; the last line left may sign.
    stop = trailing_text_end(lines, start, own)
    work = lines[start:stop]
    cut: str | None = None  # the last line without the signer's name after it
    if work:
        signer, rest = _signature(work[-1].strip(), work[-2] if len(work) > 1 else "")
        if signer is not None:
            body.signers.append(signer)
            body.signer_line = stop - 1
            work.pop()
            cut = rest
    reader = _BodyReader()
    special = _SPECIAL.match
    # Locals for the plain-line path, renewed whenever the reader ran (it may open
    # a paragraph, start a block or move the expected number).
    current: _Para | None = None
    nowhere: list[str] = []
    add: Callable[[str], None] = nowhere.append  # append to the current paragraph's block
    numbered = False
    expected, probe, probe_next = -1, "", ""

    def renew() -> None:
        nonlocal current, add, numbered, expected, probe, probe_next
        current = reader.current
        if current is not None:
            add = current.blocks[-1].append
            numbered = current.number is not None
        if expected != reader.expected:
            expected = reader.expected
            probe, probe_next = f"{expected}.", f"{expected + 1}."

    renew()
    for k, line in enumerate(work, start):
        if current is None:
            if line.strip() and not _is_noise(line, own):
                reader.feed(k, line)
                renew()
            continue
        if not line or line.isspace():
            current.gap()
            add = current.blocks[-1].append
            continue
        if _plain(line) or special(line) is None:
            # Plain text; a lost paragraph break needs the expected number in it.
            if (
                numbered
                and "." in line
                and len(line) >= 40
                and (probe in line or probe_next in line)
            ):
                reader.feed(k, line)
                renew()
            else:
                # Blanks are folded when the paragraph text is made.
                add(_SIPDIS_TOKEN.sub(" ", line) if "SIPDIS" in line else line)
        elif _opens_paragraph(line) or not _is_noise(line, own):
            reader.feed(k, line)
            renew()
    if cut is not None:
        reader.feed(stop - 1, cut)
    body.defects = reader.defects
    for p in reader.paras:
        text = p.text()
        if text or p.number is not None:
            body.paragraphs.append(Paragraph(text=text, number=p.number, marking=p.marking))
            body.lines.append(p.line)
    body.summary = _summary(body.paragraphs)
    return body


def _summary(paragraphs: list[Paragraph]) -> str | None:
    """The summary (``parse.summary``), a label inside a paragraph read by _summary_text."""
    return read_summary(paragraphs, _summary_text)


# _SUMMARY in two steps, for speed on long paragraphs: the lead (BEGIN SUMMARY:)
# searched from just before the first SUMMARY, then the end (END SUMMARY, a blank
# line or the end of the paragraph) found from the upper-case copy.
_SUMMARY_LEAD = re.compile(_SUMMARY.pattern[: _SUMMARY.pattern.index("(?P<text>")], re.I | re.S)
_SUMMARY_END = re.compile(r"END\s+(?:OF\s+)?SUMMARY(?:\s+AND\s+COMMENT)?\b", re.I)


def _summary_text(text: str, upper: str) -> str | None:
    """The ``text`` group of ``_SUMMARY.search(text)`` (``upper`` = ``text.upper()``)."""
    if len(upper) != len(text):  # case mapping changed the length: no index mapping
        m = _SUMMARY.search(text)
        return m["text"] if m else None
    first = upper.find("SUMMARY")
    # The match may open with BEGIN and blanks before the first SUMMARY.
    lead = first
    while lead > 0 and text[lead - 1].isspace():
        lead -= 1
    if lead < first and upper.startswith("BEGIN", lead - 5):
        first = lead - 5
    m = _SUMMARY_LEAD.search(text, first)
    if m is None:
        return None
    start = m.end()
    end = text.find("\n\n", start)
    if end < 0:
        end = len(text)
    # An end marker counts when the blanks before it reach back to the blank line.
    limit = end
    while limit < len(text) and text[limit].isspace():
        limit += 1
    if text[limit : limit + 1] == "(":
        limit += 1
    at = upper.find("END", start)
    while 0 <= at <= limit:
        before = text[at - 1] if at else " "
        if not (before.isalnum() or before == "_") and _SUMMARY_END.match(text, at):
            # The end marker takes the blanks and an opening parenthesis before it.
            if at > start and text[at - 1] == "(":
                at -= 1
            while at > start and text[at - 1].isspace():
                at -= 1
            end = min(end, at)
            break
        at = upper.find("END", at + 1)
    return text[start:end]
