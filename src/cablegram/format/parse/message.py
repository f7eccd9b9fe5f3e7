"""The message head between the classification line and the first paragraph
(FORMAT §3.1, §3.4-§3.10): captions, distribution lines, E.O., TAGS, SUBJECT,
REF blocks and "Classified By".  One pass over the lines, one block at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from cablegram.format.parse.classified import read_classified_by
from cablegram.format.parse.lines import (
    PARA_START,
    is_banner,
    is_page_noise,
    match_classification_line,
)
from cablegram.format.refs import looks_like_reference
from cablegram.lexicon import captions, sbu_captions, tags
from cablegram.lexicon.eo import EO_KEYWORD, EO_LINE
from cablegram.lexicon.eo import read_eo as lexicon_read_eo
from cablegram.lexicon.marks import normalize_mark
from cablegram.model import EO, ClassifiedBy, Defect

TAGS_LINE = re.compile(r"^\s*TAGS?\b\s*[:.]?\s*(?P<value>.*)$", re.I)
SUBJECT_LINE = re.compile(r"^\s*SUBJ(?:ECT)?\b\s*[:.-]?\s*(?P<value>.*)$", re.I)
REF_LINE = re.compile(r"^\s*(?:REFS?|REFERENCES?|REFTELS?)\b\s*[:.-]?\s*(?P<value>.*)$", re.I)
CLBY_LINE = re.compile(r"^\s*(?:\(U\)\s*)?CLASSIFIED\s+BY\b", re.I)
CORRECTED_COPY = re.compile(r"^\s*C\s?O\s?R\s?R\s?E\s?C\s?T\s?E\s?D\s+C\s?O\s?P\s?Y\b", re.I)
DISTRIBUTION = re.compile(
    r"^\s*(?:[A-Z0-9][\w/ .,&'()-]{0,60}?\s)?(?:ALSO\s+|PLEASE\s+)?(?:FOR|PASS(?:\s+TO)?)\b", re.I
)
# A REF item on its own line: A. / A) / (A)
REF_ITEM = re.compile(r"^\s*(?:\([A-Z]\)|[A-Z][.)])\s", re.I)
_BARE_LABEL = re.compile(r"\s*(?:REF\w*\s*[:.]?)?\s*\(?[A-Z][.):]?\)?\s*", re.I)
# The letter labels of a REF block, in order (A. / A) / (A) after a blank or REF:).
_REF_LABELS = re.compile(r"(?:^|[\s:;,])\(?([A-Z])[.):](?=\s|[A-Z0-9(]|$)", re.I)
# A REF line left open: its item goes on on the next line.
_REF_OPEN = re.compile(r"(?:[,;:/(&-]|\b(?:AND|OF|ON|TO|FROM|DATED|RE|NOTAL)\b)\s*$", re.I)
# A portion mark at either edge of the subject: (C) ... / ... (SBU).
_MARK_AT_START = re.compile(r"^\s*\((?P<mark>[^()]{1,24})\)\s*")
_MARK_AT_END = re.compile(r"\s*\((?P<mark>[^()]{1,24})\)\s*\.?\s*$")
# The first comma is the first one (no comma before it): with [^()]* on both sides
# a long run of commas would be split at each of them in turn (quadratic).
_PERSON_TAG = re.compile(r"\([^(),]*,[^()]*\)")
_TAG_SPLIT = re.compile(r"[,;\s]+")
_TAG_ITEMS = re.compile(r"[,;]")
_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9-]{1,9})\)")
# A dashed rule, a heading between rules, or a heading run onto its rule
# ("Summary -------").
DASHES = re.compile(r"^\s*-{3,}\s*$|^\s*-{3,}.*-{3,}\s*$|^\s*\w[^-\n]{0,40}?\s-{3,}\s*$")
_KEYWORD_LINES = (EO_LINE, TAGS_LINE, SUBJECT_LINE, REF_LINE, CLBY_LINE)
_CAPTION_SPLIT = re.compile(r"[\s/,;-]+")
_CAPTION_TOKEN = re.compile(r"[^\s/,;-]+")


@dataclass
class MessageHead:
    captions: list[str] = field(default_factory=list)
    sbu: bool = False
    distribution: list[str] = field(default_factory=list)
    eo: EO | None = None
    tags: list[str] = field(default_factory=list)
    subject: str | None = None
    ref_blocks: list[tuple[int, list[str]]] = field(default_factory=list)
    ref_lines: list[list[int]] = field(default_factory=list)  # line indices of each REF block
    classified_by: ClassifiedBy | None = None
    notices: list[str] = field(default_factory=list)
    unrecognized: list[str] = field(default_factory=list)  # lines that are none of the above
    end: int = 0  # index of the first body line
    at: dict[str, int] = field(default_factory=dict)  # element key -> index of its line
    defects: list[Defect] = field(default_factory=list)


@cache
def _caption_index() -> dict[str, str]:
    """Caption spelled without spaces -> caption (NOFORN, N O F O R N)."""
    out = {c.replace(" ", ""): c for c in captions()}
    out.update({c.replace(" ", ""): c for c in sbu_captions()})
    return out


def caption_words(line: str) -> list[str] | None:
    """The captions on a caption line, or None when it is not one."""
    u = line.strip(" .:-¶").upper()
    if not u:
        return None
    index = _caption_index()
    # Spacing and commas do not matter: SENSITIVE, BUT UNCLASSIFIED.
    whole = index.get(u.replace(" ", "").replace(",", ""))
    if whole:
        return [whole]
    words = u.split(None, 1)
    if not words:
        return None
    first = index.get(words[0])
    if first and captions().get(first) and captions()[first].kind == "logistics":
        return [u]  # CODEL SMITH: the caption names the delegation
    lead = _CAPTION_TOKEN.search(u)
    if lead is None or lead.group() not in index:  # the first token decides most lines
        return None
    found: list[str] = []
    for token in _CAPTION_SPLIT.split(u):
        if token:
            caption = index.get(token)
            if not caption:
                return None
            found.append(caption)
    return found or None


# One dispatch for the five head keywords: the group that matched is the kind.
_KEYWORD = re.compile(
    r"\s*(?:(?P<clby>(?:\(U\)\s*)?CLASSIFIED\s+BY\b)"
    rf"|(?P<eo>{EO_KEYWORD})"
    r"|(?P<subject>SUBJ(?:ECT)?\b)|(?P<tags>TAGS?\b)|(?P<ref>REF))",
    re.I,
)
# SUBJECT and TAGS need their colon near the start ("SUBJECT:" within 12
# characters, "TAGS:" within 8) or an upper-case word after the keyword; REF
# needs its colon or period, or an upper-case word, right after it.
_CONFIRM = {
    "subject": re.compile(r"(?=[^\n]{0,11}:)|\s*SUBJECT\s"),
    "tags": re.compile(r"(?=[^\n]{0,7}:)|\s*TAGS?\s+[A-Z(]"),
    "ref": re.compile(r"\s*(?:(?i:REFS?\s*[:.])|REF(?:TELS?|S)?\s+[A-Z(])"),
}


# First characters of the keywords as the re.I pattern folds them.
_KEYWORD_FIRST = frozenset("(CcEeDdSsTtRr\u017f")


def keyword_of(line: str) -> str | None:
    """``clby``, ``eo``, ``subject``, ``tags`` or ``ref`` for a head keyword line, else None."""
    first = line[:1]
    if first not in _KEYWORD_FIRST and not first.isspace():  # the cheap test first
        return None
    m = _KEYWORD.match(line)
    if m is None:
        return None
    kind = m.lastgroup
    confirm = _CONFIRM.get(kind)  # type: ignore[arg-type]
    return kind if confirm is None or confirm.match(line) else None


def is_para_start(line: str) -> bool:
    first = line[:1]
    if first != "¶" and not first.isdecimal() and not first.isspace():
        return False
    m = PARA_START.match(line)
    if not m or len(m["num"]) > 2:
        return False
    rest = m["rest"]
    # Paragraph 1 may open with a figure (form cables: "1. 335/01/A0005.").
    return bool(
        m["anchor"]
        or not rest
        or rest[0] in "(¶"
        or rest[0].isalpha()
        or (rest[0].isdecimal() and m["num"].lstrip("0") == "1")
    )


def read_eo(line: str) -> EO:
    """The E.O. line (``lexicon.eo`` reads it for every layer)."""
    eo = lexicon_read_eo(line)
    assert eo is not None
    return eo


def read_tags(value: str) -> list[str]:
    """Tags in order: person tags in parentheses, the rest split on commas and blanks.

    In a comma-separated list, an item of several words that are not all tag
    codes is one free-text tag written by the post (``COUNTER TERRORISM``,
    ``United Democratic Front`` -> ``UNITED DEMOCRATIC FRONT``); when it holds
    an acronym in parentheses (``Fee Trade Agreement of America (FTAA)``), the
    acronym is the tag, as other copies of the cable write it.
    """
    out: list[str] = []
    persons = [" ".join(p.split()).upper() for p in _PERSON_TAG.findall(value)]
    rest = _PERSON_TAG.sub(" ", value)
    listed = "," in rest or ";" in rest
    items = _TAG_ITEMS.split(rest) if listed else [rest]
    for item in items:
        words = item.split()
        if len(words) > 1 and not _codes(words):
            if acronyms := _ACRONYM.findall(item):
                words = acronyms
            elif listed:
                words = [" ".join(words)]
            else:  # no commas: upper-case codes apart, a run of other words one tag
                words = _runs(words)
        for tok in words:
            t = tok.strip(".:()[]").upper()
            if t and t not in out:
                out.append(t)
    return out + [p for p in persons if p not in out]


def _runs(words: list[str]) -> list[str]:
    """``PREL PGOV Human Rights`` -> ``PREL``, ``PGOV``, ``Human Rights``."""
    out: list[str] = []
    free: list[str] = []
    for word in words:
        if word.isupper():
            if free:
                out.append(" ".join(free))
                free = []
            out.append(word)
        else:
            free.append(word)
    return out + ([" ".join(free)] if free else [])


def _codes(words: list[str]) -> bool:
    """Every word is a tag code: a known tag, or short and upper case (PREL PGOV)."""
    known = tags()
    return all(
        (w := word.strip(".:()[]")).upper() in known or (w.isupper() and len(w) <= _CODE_LEN)
        for word in words
    )


# Tag codes not in the vocabulary are short (TIP, USEU); a longer upper-case
# word in a comma item is free text (COUNTER TERRORISM, HUMAN RIGHTS).
_CODE_LEN = 4


def _tag_continuation(line: str, above: str) -> bool:
    """A line under a TAGS line continues it: the line above ended in a comma,
    or the line is tag codes alone."""
    if above.rstrip().endswith(","):
        return True
    toks = [t for t in _TAG_SPLIT.split(_PERSON_TAG.sub(" ", line)) if t]
    return bool(toks) and all(len(t.strip(".,")) <= 8 and t.strip(".,").isupper() for t in toks)


def read_message_head(lines: list[str], start: int) -> MessageHead:
    """Read the head block by block from ``lines[start]`` (the line after the classification line)."""
    head = MessageHead()
    n = len(lines)
    # The last keyword line before the first paragraph bounds the head: unknown
    # lines before it are distribution or noise, after it they start the body.
    # The keyword of each line up to the first paragraph is kept for the main pass.
    last_kw, first_kw = -1, -1
    kinds: list[str | None] = []
    first_para = n
    for j in range(start, min(n, start + 120)):
        if is_para_start(lines[j]):
            first_para = j
            break
        kw = keyword_of(lines[j])
        kinds.append(kw)
        if kw:
            last_kw = j
            if first_kw < 0:
                first_kw = j
    scanned = start + len(kinds)  # lines before this one are known not to open a paragraph
    kind: str | None = None
    block: list[str] = []
    block_at: list[int] = []  # the index of each line of the block
    block_line = start
    caption_lines = 0
    i = start

    def close() -> None:
        nonlocal kind, block, block_at
        if kind == "subject" and block and (glued := _glued_keyword(block)) is not None:
            # "...AS UK PRIMEREF: A. LONDON 1939": the subject ends at the keyword.
            k, cut, rest_kind = glued
            _finish(head, "subject", [*block[:k], block[k][:cut]], block_line)
            kind, block, block_at = rest_kind, [block[k][cut:], *block[k + 1 :]], block_at[k:]
        if kind and block:
            _finish(head, kind, block, block_line if kind == "subject" else block_at[0])
            if kind == "ref":
                head.ref_lines.append(block_at)
        kind, block, block_at = None, [], []

    while i < n:
        line = lines[i]
        s = line.strip()
        if not s:
            if kind == "ref":
                k = i + 1
                while k < n and (not lines[k].strip() or is_page_noise(lines[k])):
                    k += 1
                if (
                    k < n
                    and REF_ITEM.match(lines[k])
                    and not is_para_start(lines[k])
                    and _ref_item_after_blank(block, lines[k])
                ):
                    i = k
                    continue
            close()
            i += 1
            continue
        if is_page_noise(line) or (kind is not None and is_banner(line)):
            # A page break inside a block: the banner and PAGE line are no part of it.
            i += 1
            continue
        kw = kinds[i - start] if i < scanned else keyword_of(line)
        if kw == "ref" and kind == "ref" and _bare_label(block[-1]):
            # "REF: A. REF: TEGUCIGALPA 1724": the doubled keyword goes on with item A.
            m = REF_LINE.match(line)
            block.append(m["value"] if m else line)
            block_at.append(i)
            i += 1
            continue
        if kw:
            close()
            kind, block, block_line, block_at = kw, [line], i, [i]
            i += 1
            continue
        if i == first_para or (i >= scanned and is_para_start(line)):
            break
        caps = caption_words(s) if kind not in ("subject", "clby") else None
        if caps is not None:
            close()
            head.at[f"CAPTION.{caption_lines}"] = i
            caption_lines += 1
            for c in caps:
                if c in sbu_captions():
                    head.sbu = True
                elif c not in head.captions:
                    head.captions.append(c)
                    if c == "FOR OFFICIAL USE ONLY":
                        head.sbu = True
            i += 1
            continue
        if s[0] in "Cc" and CORRECTED_COPY.match(s):
            close()
            head.at[f"NOTICE.{len(head.notices)}"] = i
            head.notices.append(s)
            head.defects.append(Defect("CORRECTED_COPY", s, i + 1))
            i += 1
            continue
        if (
            kind in ("subject", "clby", "dist", "ref", "eo")
            and not _heading(lines, i)
            and (kind != "ref" or _ref_goes_on(block, line))
            and (kind != "subject" or _subject_goes_on(block, line))
        ):
            block.append(line)
            block_at.append(i)
            i += 1
            continue
        if kind == "tags" and _tag_continuation(s, block[-1]):
            block.append(line)
            block_at.append(i)
            i += 1
            continue
        if i < last_kw:
            close()
            if first_kw < 0 or i < first_kw or DISTRIBUTION.match(s):
                kind, block, block_line, block_at = "dist", [line], i, [i]
            else:
                head.unrecognized.append(s)
                head.defects.append(Defect("UNRECOGNIZED_HEAD_LINE", s[:120], i + 1))
            i += 1
            continue
        if last_kw < 0 and DISTRIBUTION.match(s) and s.upper() == s:
            close()
            kind, block, block_line, block_at = "dist", [line], i, [i]
            i += 1
            continue
        break
    close()
    head.end = i
    return head


# A subject line this long may have wrapped (the shortest wrapped first line
# seen in the dev corpus is 39 characters, keyword included).
_SUBJECT_WRAP = 34
_SUBJECT_OPEN = re.compile(r"(?:[,:;/(&-]|\b(?:AND|OF|ON|TO|FOR|IN|THE|A|WITH|FROM)\b)\s*$", re.I)
# A head keyword glued to the subject text before it, with or without a blank.
_GLUED = re.compile(
    r"(?<=[\sA-Za-z.)])(?:(?P<ref>REF(?:S|TELS?)?\s*:\s)|(?P<clby>Classified\s+By\s*:))"
)


def _subject_goes_on(block: list[str], line: str) -> bool:
    """A line right under a subject line continues it when the line above was
    long enough to wrap or left open, and it is no classification line."""
    above = block[-1].rstrip()
    if len(above) < _SUBJECT_WRAP and not _SUBJECT_OPEN.search(above):
        return False
    first = line.lstrip()[:1]
    return not (first in "CSTUL" and (is_banner(line) or match_classification_line(line)))


def _glued_keyword(block: list[str]) -> tuple[int, int, str] | None:
    """(line, offset, kind) of a REF or Classified By keyword inside a subject block."""
    for k, line in enumerate(block):
        start = line.find(":") + 1 if k == 0 else 0  # after SUBJECT:
        if (m := _GLUED.search(line, start)) and line[start : m.start()].strip():
            return k, m.start(), "ref" if m["ref"] else "clby"
    return None


def _bare_label(line: str) -> bool:
    """``line`` is a label alone (``REF: A.``, ``B)``): its item is on the next line."""
    return _BARE_LABEL.fullmatch(line) is not None


def _ref_item_after_blank(block: list[str], line: str) -> bool:
    """A labelled line after a blank line goes on with the REF block when its
    label is the letter after the block's last one (A when it had none) and is
    written alike: a portion mark ``(U)``/``(C)`` opens the body instead, unless
    the block's labels were parenthesised too and the line cites a cable."""
    m = _REF_LABELS.match(line.lstrip())
    if m is None:
        return False
    last, parenthesised = None, False
    for written in block:
        for k in _REF_LABELS.finditer(written):
            letter = k.group(1).upper()
            if letter == (chr(ord(last) + 1) if last else "A"):
                last, parenthesised = letter, "(" in k.group(0)
    if m.group(1).upper() != (chr(ord(last) + 1) if last else "A"):
        return False
    written_as_mark = line.lstrip().startswith("(")
    return not written_as_mark or (parenthesised and looks_like_reference(line))


def _ref_goes_on(block: list[str], line: str) -> bool:
    """A line right under a REF line continues the block when it is an item
    (a label, a cited cable or date) or the line above was left open; prose
    that follows without a blank line starts the body."""
    if REF_ITEM.match(line) or line[:1].isspace() or _REF_OPEN.search(block[-1]):
        return True
    return looks_like_reference(line)


def _heading(lines: list[str], i: int) -> bool:
    """``lines[i]`` is a dashed rule or the heading above one."""
    return any("---" in line and DASHES.match(line) for line in lines[i : i + 2])


_KEYS = {"dist": "DIST", "eo": "EO", "tags": "TAGS", "subject": "SUBJECT", "clby": "CLBY"}


def _without_edge_marks(value: str) -> str:
    """The subject without the portion mark at its start or end (lexicon.marks
    decides what is a mark: ``(U)``, ``(C/NF)``, ``(SBU)``, not ``(IMI)``)."""
    for pattern in (_MARK_AT_START, _MARK_AT_END):
        m = pattern.search(value)
        if m and normalize_mark(m["mark"]) is not None:
            value = value[: m.start()] + value[m.end() :]
    return value.strip()


def _finish(head: MessageHead, kind: str, block: list[str], at: int) -> None:
    if kind in _KEYS:
        head.at.setdefault(_KEYS[kind], at)
    if kind == "dist":
        head.distribution.append(" ".join(" ".join(block).split()))
    elif kind == "eo":
        if head.eo is None:
            head.eo = read_eo(" ".join(block))
        else:
            head.defects.append(Defect("DUPLICATE_EO_LINE", block[0].strip()[:120], at + 1))
    elif kind == "tags":
        m = TAGS_LINE.match(block[0])
        value = " ".join([m["value"] if m else block[0], *block[1:]])
        for t in read_tags(value):
            if t not in head.tags:
                head.tags.append(t)
    elif kind == "subject":
        m = SUBJECT_LINE.match(block[0])
        value = " ".join([m["value"] if m else block[0], *block[1:]])
        value = _without_edge_marks(" ".join(value.split()))
        if head.subject is None:
            head.subject = value or None
        else:
            head.defects.append(Defect("DUPLICATE_SUBJECT", value[:120], at + 1))
    elif kind == "ref":
        m = REF_LINE.match(block[0])
        head.ref_blocks.append((at + 1, [m["value"] if m else block[0], *block[1:]]))
    elif kind == "clby" and head.classified_by is None:
        head.classified_by = read_classified_by(block)
