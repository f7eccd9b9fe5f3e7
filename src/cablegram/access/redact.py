"""Paragraph-level release: a view of a cable with portions above a level withheld.

Each paragraph is judged by its own portion mark; an unmarked paragraph is
judged at the cable's level (a classified cable's unmarked text is as
classified as the cable; an unknown level counts as TOP SECRET).  A withheld
paragraph keeps its number and marking and its text becomes
``withheld under <reason>``, so it renders as ``¶3. (S) withheld under 1.4(b)``.

Nothing of a withheld portion may survive anywhere in the result: the summary
is kept only when it lies inside a released paragraph, the subject is
withheld when its own mark is above the level, ``text`` is rebuilt from the
released parts, source metadata (which can repeat the subject) and defects
(which quote lines) are dropped.  Header-level fields stay: classification
line, captions, distribution, E.O., TAGS, REF block, Classified By, signers.
The overall classification is left as the cable's own: the view shows a
SECRET cable released in part, not an UNCLASSIFIED cable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping

from cablegram.access.facts import (
    UNKNOWN_CLASSIFICATION,
    access_facts,
    controlling_captions,
)
from cablegram.access.marks import PortionMark, parse_mark, subject_mark
from cablegram.lexicon.marks import control_marks, mark_letter
from cablegram.model import Cable, Classification, Paragraph, Source

__all__ = ["Reasons", "portion_mark", "redact", "withheld_paragraphs"]

Reasons = str | Mapping[int | None, str] | None


def portion_mark(cable: Cable, paragraph: Paragraph) -> PortionMark:
    """The mark that governs ``paragraph``: its own, else the cable's level.

    An unmarked paragraph inherits the cable's level, its SBU flag and its
    controlling captions (an unmarked paragraph of a NOFORN cable is NOFORN).
    """
    mark = parse_mark(paragraph.marking)
    if mark is not None:
        return mark
    level = cable.classification or UNKNOWN_CLASSIFICATION
    facts = access_facts(cable)
    return PortionMark(
        level=level,
        sbu=cable.sbu,
        controls=facts.captions,
        written="/".join([mark_letter(level, cable.sbu), *control_marks(facts.captions)]),
    )


def _why_withheld(
    mark: PortionMark, level: Classification, sbu: bool, captions: Collection[str] | None
) -> str | None:
    """The kind of reason ``mark`` is withheld for, or None when it is released."""
    if mark.level > level:
        return "level"
    if mark.sbu and not sbu:
        return "sbu"
    if captions is not None:
        missing = (mark.controls & controlling_captions()) - set(captions)
        if missing:
            return ", ".join(sorted(missing))
    return None


def _reason_text(cable: Cable, number: int | None, why: str, reasons: Reasons) -> str:
    if isinstance(reasons, str):
        return reasons
    if reasons is not None and number in reasons:
        return reasons[number]
    if why == "level":
        cited = cable.classified_by.reasons if cable.classified_by else ()
        return ", ".join(cited) if cited else "1.4"
    return "SBU" if why == "sbu" else why


def withheld_paragraphs(
    cable: Cable,
    level: Classification,
    *,
    sbu: bool = True,
    captions: Collection[str] | None = None,
) -> list[int]:
    """Indexes (into ``cable.paragraphs``) of the portions a view at ``level`` withholds."""
    return [
        i
        for i, p in enumerate(cable.paragraphs)
        if _why_withheld(portion_mark(cable, p), level, sbu, captions)
    ]


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _rebuild_text(cable: Cable) -> str:
    """Telegram text of the released parts (canonical layout, FORMAT §3.13)."""
    lines: list[str] = []
    # An unknown level is left unwritten rather than shown as UNCLASSIFIED.
    first = [cable.classification.value] if cable.classification else []
    if cable.section:
        first.append(f"SECTION {cable.section.number:02d} OF {cable.section.total:02d}")
    if cable.origin:
        first.append(cable.origin)
    if cable.serial is not None:
        first.append(f"{cable.serial:06d}")
    if first:
        lines += [" ".join(first), ""]
    for block in (cable.captions, cable.distribution):
        if block:
            lines += [*block, ""]
    if cable.eo:
        lines.append(f"E.O. {cable.eo.order or ''}: {cable.eo.text or ''}".replace("  ", " "))
    if cable.tags:
        lines.append("TAGS: " + ", ".join(cable.tags))
    if cable.subject:
        lines += ["", "SUBJECT: " + cable.subject]
    if cable.references:
        refs = [f"{r.label}. {r.text}" if r.label else r.text for r in cable.references]
        lines += ["", "REF: " + refs[0], *refs[1:]]
    if cable.classified_by and (cb := cable.classified_by.text):
        # The parser keeps the line as written, keyword included (or not).
        lines += ["", cb if cb.upper().startswith("CLASSIFIED BY") else "Classified By: " + cb]
    for p in cable.paragraphs:
        head = f"¶{p.number}. " if p.number is not None else ""
        mark = f"({p.marking}) " if p.marking else ""
        lines += ["", f"{head}{mark}{p.text}"]
    if cable.signers:
        lines += ["", *cable.signers]
    return "\n".join(lines) + "\n"


def redact(
    cable: Cable,
    level: Classification,
    *,
    sbu: bool = True,
    captions: Collection[str] | None = None,
    reasons: Reasons = None,
) -> Cable:
    """A releasable view of ``cable`` for a reader at ``level``.

    ``sbu`` — whether SBU/LOU/FOUO portions are released; ``captions`` — the
    controls the reader holds (a portion marked ``S//NF`` is withheld from a
    reader without ``NOFORN``); None ignores portion controls.  ``reasons`` —
    the withholding authority written in each notice: one string for all,
    or a mapping paragraph number -> reason (missing numbers fall back to the
    cable's Classified By reasons, ``SBU`` or the missing control).

    Returns ``cable`` itself when the reader may see all of it.
    """
    facts = access_facts(cable)
    whole = PortionMark(level=facts.classification, sbu=facts.sbu, controls=facts.captions)
    if _why_withheld(whole, level, sbu, captions) is None:
        return cable
    paragraphs: list[Paragraph] = []
    withheld: list[int | None] = []
    released_text: list[str] = []
    for p in cable.paragraphs:
        mark = portion_mark(cable, p)
        why = _why_withheld(mark, level, sbu, captions)
        if why is None:
            paragraphs.append(p)
            released_text.append(_fold(p.text))
            continue
        withheld.append(p.number)
        notice = "withheld under " + _reason_text(cable, p.number, why, reasons)
        paragraphs.append(Paragraph(text=notice, number=p.number, marking=mark.written))
    subject = cable.subject
    smark = subject_mark(cable)
    subject_withheld = False
    if subject and smark and (why := _why_withheld(smark, level, sbu, captions)):
        subject = f"({smark.written}) withheld under " + _reason_text(cable, None, why, reasons)
        subject_withheld = True
    summary = cable.summary
    if summary and not any(_fold(summary) in t for t in released_text):
        summary = None
    view = dataclasses.replace(
        cable,
        paragraphs=tuple(paragraphs),
        subject=subject,
        summary=summary,
        # Unplaced head lines may be a withheld subject's continuation: not in a view.
        unrecognized_head_lines=(),
        defects=(),
        source=Source(
            format=cable.source.format,
            path=cable.source.path,
            metadata={
                "release": {
                    "level": level.value,
                    "sbu": sbu,
                    "withheld_paragraphs": withheld,
                    "subject_withheld": subject_withheld,
                }
            },
        ),
    )
    return dataclasses.replace(view, text=_rebuild_text(view))
