"""Adversarial cable texts: long runs of separators and blanks in every field.

Shared by the property tests (tests/format/test_hostile_time.py) and
``benchmarks/hostile.py``.  A cable is written field by field; one field gets a
run of one filler (a blank, a separator, a repeated REF item ...) in the
middle, at its end, or instead of its value, so every pattern that reads the
field meets the run.  Runs are what made the readers backtrack: each pattern
with a quantifier that can match the filler in more than one way.
"""

from __future__ import annotations

from collections.abc import Iterator

# Each field of a cable as written, in order; ``{}`` is where the run goes.
FIELDS: dict[str, str] = {
    "fl1": "VZCZCXRO3987{}",
    "fl2": "RR RUEHDBU{} RUEHLN",
    "fl3": "DE RUEHTA #1703{} 1350225",
    "fl4": "ZNR UUUUU ZZH{}",
    "dtg": "R 150225Z MAY 06{}",
    "fm": "FM AMEMBASSY{} ALMATY",
    "to": "TO RUEHC/SECSTATE WASHDC{} 5289",
    "info": "INFO RUCNCIS/CIS{} COLLECTIVE",
    "class": "CONFIDENTIAL{} ALMATY 001703",
    "caption": "NOFORN{}",
    "dist": "DEPARTMENT FOR S/WCI{} (WITTEN, MILLER)",
    "eo": "E.O. 12958: DECL:{} 08/08/2016",
    "tags": "TAGS: PTER,{} KAWC PREL",
    "subject": "SUBJECT: KAZAKHSTAN:{} DISCUSSION OF DETAINEES",
    "ref": "REF: A. STATE 32380{}, B. ALMATY 336",
    "clby": "Classified By: Pol-Econ Chief Deborah Mennuti,{} reasons 1.4 (B) and (D).",
    "para": "1. (C){} Summary: Kazakhstan insists on a treaty. End summary.",
    "body": "2. (C) On May 2, Poloff met{} with the MFA. 3. (C) Sanginkhanov stated.",
    "summary": "4. (U) BEGIN SUMMARY{}: the MFA agrees. END SUMMARY",
    "sign": "ORDWAY{}",
}
# Where each field sits: envelope lines, then a blank, then the message.
_ENVELOPE = ("fl1", "fl2", "fl3", "fl4", "dtg", "fm", "to", "info")

# One unit of each run: every blank, every separator the grammar knows, and
# the repeated pieces the readers loop over.
FILLERS: dict[str, str] = {
    "space": " ",
    "tab": "\t",
    "nbsp": "\xa0",
    "ideographic-space": "\u3000",
    "comma": ",",
    "comma-space": ", ",
    "colon": ":",
    "semicolon": ";",
    "period": ".",
    "hyphen": "-",
    "slash": "/",
    "paren": "(",
    "close-paren": ")",
    "pilcrow": "¶",
    "pilcrow-digit": "¶1",
    "letter-space": "A ",
    "digit-space": "1 ",
    "digits": "1",
    "letters": "A",
    "and": " AND",
    "ref-item": "A. ALMATY 2549, ",
    "label": "A. ",
    "para-number": "1. ",
    "entity": "&#xA;",
    "bracket": "[",
    "lt": "<",
    "amp": "&",
}


def cable(field: str | None = None, run: str = "", cut: bool = False) -> str:
    """The cable with ``run`` placed in ``field`` (None: the plain cable); ``cut``:
    the field ends after the run with a stray ``x`` (what follows a keyword is
    then not what its pattern looks for, and the pattern must give up quickly)."""
    lines = []
    for name, template in FIELDS.items():
        if name == field and cut:
            lines.append(template.split("{}")[0] + run + "x")
        else:
            lines.append(template.format(run if name == field else ""))
        if name == _ENVELOPE[-1] or name not in _ENVELOPE:
            lines.append("")
    return "\n".join(lines) + "\n"


def run_of(filler: str, size: int) -> str:
    """``filler`` repeated to about ``size`` characters."""
    return filler * max(1, size // len(filler))


def hostile_cases(size: int) -> Iterator[tuple[str, str]]:
    """(name, text) of every field x filler, each with a run of about ``size`` characters,
    and a few whole-document shapes (one long line, a long line of each filler)."""
    for field in FIELDS:
        for name, filler in FILLERS.items():
            yield f"{field}/{name}", cable(field, run_of(filler, size))
            yield f"{field}/{name}/cut", cable(field, run_of(filler, size), cut=True)
    words = run_of("the quick brown fox. ", size)
    yield "line/words", cable("body", words)
    yield "line/one", "SUBJECT: X " + words
    for name, filler in FILLERS.items():
        yield f"bare/{name}", "X" + run_of(filler, size) + "! TAGS: PREL"
    # The reproducers of issue 15, scaled.
    yield "issue/ref-commas", "REF: A" + run_of(", ", size) + "x"
    yield "issue/ref-almaty-commas", "REF: A. ALMATY 2549" + run_of(", ", size) + "x"
    yield "issue/ref-colons", "REF: A. ALMATY 2549" + run_of(":", size) + "x"
    yield "issue/blanks-tags", "X" + run_of(" ", size) + "! TAGS: PREL"
