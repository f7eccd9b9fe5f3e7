"""What a source states about a cable beside its text, checked against the text.

The text is authoritative; where the source's statement disagrees, the cable
carries a ``SOURCE_ATTRIBUTE_DIFFERS`` defect naming the attribute (the id is
checked for every source as ``ID_DIFFERS_FROM_SOURCE``).  Checked here: the
NARA AAD printouts' Message Attributes (metadata with a ``document_number``):
Draft Date against the DTG, Original Classification against the
classification line, TAGS against the TAGS line (tag codes), Subject against
SUBJ (the attribute is the subject run on into the text and cut: it must
begin with the text's subject, or be the start of it).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from cablegram.lexicon import CLASSIFICATION_WORDS, SBU_LEVEL_WORDS
from cablegram.model import Classification, Defect

# The DTG is when a cable was sent (UTC); the draft date may be a day earlier.
_DRAFT_DAYS = 2
_LETTERS = re.compile(r"[^A-Z0-9]")
_NOT_A_CODE = re.compile(r"[\s(]")


def _differs(what: str, stated: Any, read: Any) -> Defect:
    return Defect("SOURCE_ATTRIBUTE_DIFFERS", f"{what}: source states {stated}, text gives {read}")


def aad_disagreements(
    metadata: dict[str, Any],
    *,
    created: str | None,
    classification: Classification | None,
    sbu: bool,
    tags: tuple[str, ...],
    subject: str | None,
) -> list[Defect]:
    """Defects for each AAD attribute that contradicts what the text gives."""
    if "document_number" not in metadata:
        return []
    out: list[Defect] = []
    stated_day = metadata.get("created")
    if created and isinstance(stated_day, str):
        try:
            gap = abs((date.fromisoformat(created[:10]) - date.fromisoformat(stated_day)).days)
        except ValueError:
            gap = 0
        if gap >= _DRAFT_DAYS:
            out.append(_differs("Draft Date", metadata.get("draft_date"), created[:10]))
    level = metadata.get("original_classification")
    if isinstance(level, str) and classification is not None:
        squeezed = "".join(level.split()).upper()
        stated = CLASSIFICATION_WORDS.get(squeezed)
        if stated is not None and (stated, squeezed in SBU_LEVEL_WORDS) != (classification, sbu):
            read = f"{classification.value}{' (SBU)' if sbu else ''}"
            out.append(_differs("Original Classification", level, read))
    stated_tags = metadata.get("tags")
    if isinstance(stated_tags, list) and tags:
        codes = {t.upper() for t in stated_tags if not _NOT_A_CODE.search(t)}
        own = {t for t in tags if not _NOT_A_CODE.search(t)}
        if codes and codes != own:
            out.append(_differs("TAGS", ", ".join(sorted(codes)), ", ".join(sorted(own))))
    stated_subject = metadata.get("subject")
    if isinstance(stated_subject, str) and subject:
        a = _LETTERS.sub("", stated_subject.upper())
        b = _LETTERS.sub("", subject.upper())
        if a and b and not (a.startswith(b) or b.startswith(a)):
            out.append(_differs("Subject", stated_subject[:80], subject[:80]))
    return out
