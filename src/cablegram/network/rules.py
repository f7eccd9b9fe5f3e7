"""Validation of a draft: the format's release rules plus the network's own.

Every finding has a code, a severity and the field or line it is about
(:class:`cablegram.format.validate.Finding`).  The format's rules (R01-R30) run
with ``draft=True`` (a draft has no serial, DTG or header yet); the network adds:

* N01 error — a caption combination the Handbook forbids (NETWORK.md §6).
* N02 error — NIACT not justified in paragraph 1, or NIACT on an addressee that
  is not IMMEDIATE.
* N03 error — no subject TAG (every cable carries at least one, §6).
* N04 error — an addressee or the originator unknown to the directory on the
  drafting date.
* N05 error — a classification or caption the drafter does not hold.
* N06 error — no action addressee.
* N07 error — an empty paragraph (text still to be written).
* N08 error — the originator is not the drafter's station.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from cablegram import lexicon
from cablegram.access.facts import controlling_captions
from cablegram.access.principal import Principal
from cablegram.format.drafts import DRAFT_FORMAT, field_of
from cablegram.format.validate import ERROR, Finding, validate
from cablegram.model import Cable, Classification, Precedence
from cablegram.network.directory import Directory, Person

__all__ = ["check_draft", "network_findings"]


class _Where:
    """Findings placed on the draft's JSON line when the draft was read from a file."""

    def __init__(self, cable: Cable) -> None:
        self.lines = cable.source.lines if cable.source.format == DRAFT_FORMAT else {}

    def finding(self, code: str, message: str, key: str | None = None) -> Finding:
        return Finding(
            code,
            ERROR,
            message,
            self.lines.get(key) if key else None,
            field_of(key) if key else None,
        )


def _captions(cable: Cable, w: _Where) -> Iterator[Finding]:
    caps = list(cable.captions)
    rules = lexicon.caption_rules()
    known = lexicon.captions()
    key = "CAPTION.0"
    for c in caps:
        if c in rules.alone and len(caps) > 1:
            others = ", ".join(x for x in caps if x != c)
            yield w.finding("N01", f"nothing may be added to {c} (found {others})", key)
    for a, b in sorted(rules.excludes):
        if a in caps and b in caps:
            yield w.finding("N01", f"{a} may not be combined with {b}", key)
    channels = [c for c in caps if c in known and known[c].kind == "channel"]
    if len(channels) > 1:
        yield w.finding("N01", f"at most one channel caption (found {', '.join(channels)})", key)
    dist = [c for c in caps if c in known and known[c].kind == "distribution"]
    for i, a in enumerate(dist):
        for b in dist[i + 1 :]:
            if (a, b) not in rules.combines and (b, a) not in rules.combines:
                yield w.finding("N01", f"{a} and {b} conflict (only STADIS joins another)", key)


def _niact(cable: Cable, w: _Where) -> Iterator[Finding]:
    flagged = [
        (role, i, a)
        for role, items in (("TO", cable.to), ("INFO", cable.info))
        for i, a in enumerate(items)
        if a.niact
    ]
    for role, i, a in flagged:
        if (a.precedence or cable.precedence) is not Precedence.IMMEDIATE:
            yield w.finding("N02", f"NIACT on {a.name}, who is not IMMEDIATE", f"{role}.{i}")
    if flagged:
        first = cable.paragraphs[0].text.upper() if cable.paragraphs else ""
        if lexicon.NIACT.split()[0] not in first.split():
            yield w.finding(
                "N02", "NIACT must be justified in paragraph 1 (say why: NIACT ...)", "PARA.0"
            )


def _subject_tag(cable: Cable, w: _Where) -> Iterator[Finding]:
    known = lexicon.tags()
    if not any(t in known and known[t].kind == "subject" for t in cable.tags):
        yield w.finding("N03", "TAGS need at least one subject tag (PREL, PGOV, ECON ...)", "TAGS")


def _addresses(cable: Cable, directory: Directory, on: date, w: _Where) -> Iterator[Finding]:
    if cable.from_ is None:
        yield w.finding("N04", "no originator (from)", "FM")
    elif directory.station(cable.from_.name) is None or not directory.known_on(
        cable.from_.name, on
    ):
        yield w.finding(
            "N04", f"originator {cable.from_.name} is not in the directory on {on}", "FM"
        )
    for role, items in (("TO", cable.to), ("INFO", cable.info), ("XMT", cable.xmt)):
        for i, a in enumerate(items):
            if not directory.known_on(a.name, on):
                yield w.finding("N04", f"{a.name} is not in the directory on {on}", f"{role}.{i}")
    if not cable.to:
        yield w.finding("N06", "no action addressee (to)")


def _holds(cable: Cable, drafter: Principal, w: _Where) -> Iterator[Finding]:
    if drafter.owner:
        return
    level = cable.classification or Classification.UNCLASSIFIED
    if level.rank > drafter.clearance.rank:
        yield w.finding(
            "N05",
            f"{drafter.name} holds {drafter.clearance.value}, not {level.value}",
            "CLASS",
        )
    missing = sorted(set(cable.captions) & controlling_captions() - drafter.captions)
    if missing:
        yield w.finding("N05", f"{drafter.name} is not read into {', '.join(missing)}", "CAPTION.0")


def _paragraphs(cable: Cable, w: _Where) -> Iterator[Finding]:
    for i, p in enumerate(cable.paragraphs):
        if not p.text.strip():
            yield w.finding("N07", "empty paragraph", f"PARA.{i}")
    if not cable.paragraphs:
        yield w.finding("N07", "no text")


def _station(cable: Cable, person: Person | None, w: _Where) -> Iterator[Finding]:
    if person is not None and cable.from_ is not None and cable.from_.name != person.station:
        yield w.finding(
            "N08", f"{person.user} drafts for {person.station}, not {cable.from_.name}", "FM"
        )


def network_findings(
    cable: Cable,
    directory: Directory,
    on: date,
    *,
    drafter: Principal | None = None,
    person: Person | None = None,
) -> list[Finding]:
    """The network's own rules (N01-N08) on a draft cable as of ``on``."""
    w = _Where(cable)
    out = [
        *_captions(cable, w),
        *_niact(cable, w),
        *_subject_tag(cable, w),
        *_addresses(cable, directory, on, w),
        *_paragraphs(cable, w),
        *_station(cable, person, w),
    ]
    if drafter is not None:
        out += _holds(cable, drafter, w)
    return out


def check_draft(
    cable: Cable,
    directory: Directory,
    on: date,
    *,
    drafter: Principal | None = None,
    person: Person | None = None,
) -> list[Finding]:
    """Every finding on a draft: the format's release rules and the network's, by code."""
    findings = validate(cable, draft=True) + network_findings(
        cable, directory, on, drafter=drafter, person=person
    )
    return sorted(findings, key=lambda f: (f.code, f.line or 0))
