"""The strict release rules (FORMAT §4), each finding with a stable code.

``validate(cable)`` runs every rule and returns the findings in rule order.
Codes R01-R25 are FORMAT.md's; R26-R30 are the project's additions.  Every
code, its severity and a real example are listed in docs/format-validation.md.
Line numbers point into the file a cable was read from (``cable.source.lines``),
else into ``render(cable)``.
"""

from __future__ import annotations

from cablegram.format.validate import envelope, text
from cablegram.format.validate._common import ERROR, WARNING, Context, Finding
from cablegram.model import Cable

__all__ = ["ERROR", "WARNING", "Finding", "errors", "validate"]

_RULES = envelope.RULES + text.RULES


def validate(cable: Cable, *, draft: bool = False) -> list[Finding]:
    """Every release rule ``cable`` breaks (empty list: ready to release).

    ``draft=True`` checks a cable before release has given it a serial, DTG and
    id (network.release assigns them): their absence is then no finding, while
    their values, when present, are still checked.
    """
    ctx = Context(cable, draft=draft)
    rules = [
        r
        for r in _RULES
        if cable.classification is not None or not getattr(r, "needs_classification", False)
    ]
    findings = [f for rule in rules for f in rule(ctx)]
    return sorted(findings, key=lambda f: f.code)


def errors(cable: Cable, *, draft: bool = False) -> list[Finding]:
    """Only the findings that block release."""
    return [f for f in validate(cable, draft=draft) if f.severity == ERROR]
