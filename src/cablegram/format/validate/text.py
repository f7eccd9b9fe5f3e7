"""Rules on the message text (FORMAT §4: R08-R22, R24; project rules R26-R30)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cache

from cablegram import lexicon
from cablegram.format.validate._common import (
    ERROR,
    WARNING,
    Context,
    Finding,
    enumerate_marks,
    iso_date,
    needs_classification,
    portion_controls,
    portion_is_sbu,
    portion_level,
)
from cablegram.lexicon.eo import in_force
from cablegram.model import Classification

_REF_ID = re.compile(r"^(\d{2})([A-Z]{3,17})(\d{1,7})$")
_REASON = re.compile(r"^(1\.[45])\(([a-z])\)$")
# A grace period after each change of order (FORMAT R21): drafters kept the old
# number for months.
_EO_GRACE_DAYS = 120
_AMENDMENT_13292 = date(2003, 3, 25)


def _is_na(ctx: Context) -> bool:
    eo = ctx.cable.eo
    if eo is None:
        return False
    if eo.text is None:
        return eo.declassify_on is None
    return "N/A" in eo.text.upper() or not eo.text.strip()


@needs_classification
def r08_portion_above_classification(ctx: Context) -> Iterator[Finding]:
    for i, mark in enumerate_marks(ctx.cable):
        level = portion_level(mark)
        if level is not None and level > ctx.cls:
            yield ctx.finding(
                "R08", ERROR, f"portion ({mark}) is above the {ctx.cls.value} cable", f"PARA.{i}"
            )


@needs_classification
def r09_r10_eo_value(ctx: Context) -> Iterator[Finding]:
    eo = ctx.cable.eo
    if not ctx.classified:
        if eo is None:
            yield ctx.finding("R09", WARNING, "no E.O. line (UNCLAS expects E.O. ...: N/A)")
        elif not _is_na(ctx):
            yield ctx.finding("R09", WARNING, f"UNCLAS cable with E.O. value {eo.text!r}", "EO")
        return
    if eo is None:
        yield ctx.finding("R10", ERROR, f"{ctx.cls.value} cable without an E.O. line")
    elif _is_na(ctx):
        yield ctx.finding("R10", ERROR, f"{ctx.cls.value} cable with E.O. value N/A", "EO")


def r11_r12_declassify_date(ctx: Context) -> Iterator[Finding]:
    eo, when = ctx.cable.eo, ctx.when
    decl = iso_date(eo.declassify_on) if eo is not None else None
    if decl is None or when is None:
        return
    if decl <= when.date():
        yield ctx.finding("R11", ERROR, f"DECL {decl} is not after the DTG {when:%Y-%m-%d}", "EO")
    elif decl > when.date().replace(year=when.year + 25, day=min(when.day, 28)):
        yield ctx.finding("R12", WARNING, f"DECL {decl} is more than 25 years after the DTG", "EO")


@needs_classification
def r13_classified_by(ctx: Context) -> Iterator[Finding]:
    cb = ctx.cable.classified_by
    if ctx.classified and cb is None:
        yield ctx.finding("R13", ERROR, f"{ctx.cls.value} cable without Classified By")
    elif not ctx.classified and cb is not None:
        yield ctx.finding("R13", ERROR, "Classified By on an unclassified cable", "CLBY")
    if cb is None:
        return
    for reason in cb.reasons:
        m = _REASON.match(reason)
        top = "h" if m and m.group(1) == "1.4" else "g"
        if m is None or m.group(2) > top:
            yield ctx.finding(
                "R13", ERROR, f"classification reason {reason!r} is not valid", "CLBY"
            )


@needs_classification
def r14_r15_controls(ctx: Context) -> Iterator[Finding]:
    c = ctx.cable
    marks = list(enumerate_marks(c))
    nf = next((i for i, m in marks if "NOFORN" in portion_controls(m)), None)
    if nf is not None and "NOFORN" not in c.captions:
        yield ctx.finding("R14", WARNING, "NOFORN portion without NOFORN caption", f"PARA.{nf}")
    sbu = next((i for i, m in marks if portion_is_sbu(m)), None)
    if sbu is not None and not ctx.classified and not c.sbu:
        yield ctx.finding("R15", WARNING, "(SBU) portion without SENSITIVE caption", f"PARA.{sbu}")


def r16_tags(ctx: Context) -> Iterator[Finding]:
    tags = [t for t in ctx.cable.tags if not t.startswith("(")]
    if not tags:
        yield ctx.finding("R16", ERROR, "no TAGS")
        return
    known = lexicon.tags()
    kinds = [known[t].kind if t in known else None for t in tags]
    if not any(k in ("subject", "program") for k in kinds):
        yield ctx.finding("R16", ERROR, "TAGS have no subject or program tag", "TAGS")
    for t, k in zip(tags, kinds, strict=True):
        if len(t) == 2 and t not in lexicon.country_codes():
            yield ctx.finding("R16", WARNING, f"geographic tag {t} is not a known code", "TAGS")
        elif k is None and len(t) != 2:
            yield ctx.finding("R16", WARNING, f"tag {t} is not in the TAGS vocabulary", "TAGS")


@cache
def _fm_origins() -> dict[str, frozenset[str]]:
    """FM PLAD -> origin tokens its cables are numbered in (USEU BRUSSELS -> BRUSSELS)."""
    out: dict[str, set[str]] = {}
    for r in lexicon.read_csv("origins_observed.csv"):
        for plad in r["fm_plad"].split(";"):
            token = lexicon.origin_token(r["classification_line_origin"])
            out.setdefault(plad.strip().upper(), set()).add(token)
    return {k: frozenset(v) for k, v in out.items()}


def r17_origin_vs_fm(ctx: Context) -> Iterator[Finding]:
    c = ctx.cable
    if c.from_ is None or not c.origin:
        return
    name = " ".join(c.from_.name.upper().split())
    allowed = {lexicon.canonical_origin(name), lexicon.origin_token(_drop_prefix(name))}
    allowed |= _fm_origins().get(name, frozenset())
    if c.origin not in allowed:
        yield ctx.finding(
            "R17", ERROR, f"origin {c.origin} does not match FM {c.from_.name}", "CLASS"
        )


def _drop_prefix(plad: str) -> str:
    for p in lexicon.plad_prefixes():
        if plad.startswith(p + " "):
            return plad[len(p) + 1 :]
    return plad


def r18_id(ctx: Context) -> Iterator[Finding]:
    c = ctx.cable
    if ctx.when is None or not c.origin or c.serial is None or (ctx.draft and c.id is None):
        return
    expected = f"{ctx.when.year % 100:02d}{c.origin}{c.serial}"
    if c.id != expected:
        yield ctx.finding("R18", WARNING, f"id {c.id} differs from the text's {expected}", "CLASS")


@needs_classification
def r19_paragraphs(ctx: Context) -> Iterator[Finding]:
    paras = ctx.cable.paragraphs
    expected = 1
    for i, p in enumerate(paras):
        if p.number is not None:
            if p.number != expected:
                yield ctx.finding(
                    "R19", WARNING, f"paragraph {p.number} where {expected} was due", f"PARA.{i}"
                )
            expected = p.number + 1
        if ctx.classified and not p.marking:
            yield ctx.finding("R19", WARNING, "paragraph without portion mark", f"PARA.{i}")


def r20_section(ctx: Context) -> Iterator[Finding]:
    s = ctx.cable.section
    if s is not None and not 1 <= s.number <= s.total:
        yield ctx.finding("R20", ERROR, f"SECTION {s.number} OF {s.total}", "CLASS")


def r21_eo_number(ctx: Context) -> Iterator[Finding]:
    eo, when = ctx.cable.eo, ctx.when
    if eo is None or when is None or not eo.order:
        return
    d = when.date()
    ok = in_force(eo.order, d, _EO_GRACE_DAYS)
    if ok is None:
        yield ctx.finding("R21", WARNING, f"E.O. {eo.order} is not a classification order", "EO")
    elif not ok:
        yield ctx.finding("R21", WARNING, f"E.O. {eo.order} was not in force on {d}", "EO")


def r22_reason_section(ctx: Context) -> Iterator[Finding]:
    cb, when = ctx.cable.classified_by, ctx.when
    if cb is None or when is None:
        return
    due = "1.4" if when.date() >= _AMENDMENT_13292 else "1.5"
    wrong = [r for r in cb.reasons if r[:3] in ("1.4", "1.5") and r[:3] != due]
    if wrong:
        yield ctx.finding("R22", WARNING, f"reasons {wrong[0][:3]} where {due} applies", "CLBY")


@needs_classification
def r24_downgrade(ctx: Context) -> Iterator[Finding]:
    eo = ctx.cable.eo
    downgrade = eo is not None and eo.text is not None and "DNG" in eo.text.upper()
    if downgrade and ctx.cls < Classification.SECRET:
        yield ctx.finding("R24", ERROR, f"DNG on a {ctx.cls.value} cable", "EO")


def r26_subject(ctx: Context) -> Iterator[Finding]:
    if not (ctx.cable.subject or "").strip():
        yield ctx.finding("R26", ERROR, "no SUBJECT")


def r27_r28_references(ctx: Context) -> Iterator[Finding]:
    for i, r in enumerate(ctx.cable.references):
        if r.id is None:
            continue
        m = _REF_ID.match(r.id)
        if m is None:
            yield ctx.finding("R27", ERROR, f"reference id {r.id} is not canonical", f"REF.{i}")
        elif m.group(2) not in lexicon.known_origins():
            yield ctx.finding(
                "R28", WARNING, f"reference {r.id}: origin {m.group(2)} is unknown", f"REF.{i}"
            )


def r29_caption_order(ctx: Context) -> Iterator[Finding]:
    known = lexicon.captions()
    ranks = [known[c].rank for c in ctx.cable.captions if c in known]
    if ranks != sorted(ranks):
        yield ctx.finding("R29", WARNING, "captions are not most restrictive first", "CAPTION.0")


def r30_identity(ctx: Context) -> Iterator[Finding]:
    c = ctx.cable
    for name, value in (
        ("classification", c.classification),
        ("origin", c.origin),
        ("serial", c.serial),
        ("precedence", c.precedence),
    ):
        if value is None and not (ctx.draft and name == "serial"):
            yield ctx.finding("R30", ERROR, f"missing {name}", "CLASS")


RULES = (
    r08_portion_above_classification,
    r09_r10_eo_value,
    r11_r12_declassify_date,
    r13_classified_by,
    r14_r15_controls,
    r16_tags,
    r17_origin_vs_fm,
    r18_id,
    r19_paragraphs,
    r20_section,
    r21_eo_number,
    r22_reason_section,
    r24_downgrade,
    r26_subject,
    r27_r28_references,
    r29_caption_order,
    r30_identity,
)
