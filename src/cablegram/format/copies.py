"""Does a copy's text belong to its cable?  (issue 13 §3)

A cable held in several copies must never show another cable's text.  Some
published copies are damaged: a 2011 WikiLeaks page of 73TEHRAN8233 breaks off
after its first paragraph and goes on with a 2008 cable from The Hague, whose
classification line, E.O. line, TAGS and SUBJECT follow.  A cable may quote
another one (a repeated telegram carries the quoted cable's whole head), so a
second classification line alone proves nothing; it is foreign text when the
head under it contradicts the cable's own date: an E.O. order not yet or no
longer in force then (11652 in 1973 is right, 12958 is two decades late).

:func:`foreign_text` is asked by the archive before it chooses a cable's
primary copy: a copy whose text is foreign from some line on is kept as a copy,
flagged with a ``FOREIGN_TEXT`` defect, and is never the primary copy while a
sound copy exists.
"""

from __future__ import annotations

from datetime import date

from cablegram.format.parse.lines import match_classification_line
from cablegram.lexicon import origin_token
from cablegram.lexicon.eo import EO_LINE, in_force, read_eo
from cablegram.model import Cable, Defect

# How far under a classification line its head's E.O. line may sit (captions,
# office lines, SIPDIS between).
_HEAD_LINES = 12
# Drafters kept an old order for months; a year is beyond any such slip.
_GRACE_DAYS = 366


def foreign_text(cable: Cable) -> Defect | None:
    """A ``FOREIGN_TEXT`` defect at the line of ``cable.text`` where another
    cable's text starts, or None when the text is the cable's own."""
    if not cable.created:
        return None
    day = date.fromisoformat(cable.created[:10])
    own = (cable.origin, cable.serial)
    lines = cable.text.split("\n")
    for i, line in enumerate(lines[1:], 1):
        c = match_classification_line(line)
        if c is None or (origin_token(c.origin), c.serial) == own:
            continue
        for head_line in lines[i + 1 : i + 1 + _HEAD_LINES]:
            if not EO_LINE.match(head_line):
                continue
            eo = read_eo(head_line)
            if eo is not None and eo.order and in_force(eo.order, day, _GRACE_DAYS) is False:
                return Defect(
                    "FOREIGN_TEXT",
                    f"another cable from here on: {' '.join(line.split())[:60]} under "
                    f"E.O. {eo.order}, not in force on {day}",
                    i + 1,
                )
            break
    return None
