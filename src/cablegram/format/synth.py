"""Deterministic, realistic synthetic cables for demos, tests and benchmarks.

``synth_cables(n, seed=s)`` yields the same ``n`` cables for the same
arguments: posts, routing and counters from the lexicon's observed data,
classifications with consistent portion marks and captions, TAGS from the
vocabulary, and references that mostly cite *earlier* cables of the same run
(so the reference graph has threads), sometimes ids outside the run and
non-cable references.  Every cable renders, parses back unchanged and passes
``validate`` without errors.  Prose comes from ``data/synth_words.json``;
sentences are drawn from a pool built once per run, which keeps generation
fast (thousands of cables per second).
"""

from __future__ import annotations

import json
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from cablegram import lexicon
from cablegram.format.render import dtg_of, filed_of, render
from cablegram.lexicon.marks import mark_letter
from cablegram.model import (
    EO,
    Addressee,
    Cable,
    Classification,
    ClassifiedBy,
    Header,
    Paragraph,
    Precedence,
    Reference,
    Relay,
    Station,
)

__all__ = [
    "Post",
    "TagPools",
    "info_addressees",
    "posts",
    "synth_cables",
    "synth_text",
    "tag_pools",
]

_PRECEDENCES = (Precedence.ROUTINE, Precedence.PRIORITY, Precedence.IMMEDIATE, Precedence.FLASH)
_PRECEDENCE_WEIGHTS = (35, 36, 27, 2)
_LEVELS = (
    Classification.UNCLASSIFIED,
    Classification.CONFIDENTIAL,
    Classification.SECRET,
    Classification.TOP_SECRET,
)
_LEVEL_WEIGHTS = (30, 44, 24, 2)
_SIPDIS_FROM = 2006  # SIPDIS captions appear in 2006-2010 traffic (FORMAT §3.4)
_EO_13526_FROM = datetime(2010, 6, 27)
_REASONS_14_FROM = datetime(2003, 3, 25)
_STATE = "STATE"


@dataclass(frozen=True, slots=True)
class Post:
    """A post that sends cables: its origin as written and as a token, FM PLAD, DE RI."""

    written: str  # origin as the classification line writes it
    token: str
    plad: str
    ri: str


class TagPools(NamedTuple):
    """TAGS seen in real traffic, by kind."""

    subject: tuple[str, ...]
    program: tuple[str, ...]
    countries: tuple[tuple[str, str], ...]  # (code, name upper case)


@cache
def _words() -> dict[str, list]:  # type: ignore[type-arg]
    with open(lexicon.data_path("synth_words.json"), encoding="utf-8") as f:
        return json.load(f)  # type: ignore[no-any-return]


@cache
def _vocabulary() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Content words and cumulative weights (their document frequency in real
    cables), so a word is as selective in a synthetic archive as in a real one."""
    words: list[str] = []
    cumulative: list[float] = []
    total = 0.0
    with open(lexicon.data_path("synth_vocabulary.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("word\t"):
                continue
            word, count = line.rstrip("\n").split("\t")
            total += int(count)
            words.append(word)
            cumulative.append(total)
    return tuple(words), tuple(cumulative)


# Frames for the sentence of content words each body paragraph carries.
_CONTENT_FRAMES = (
    "Discussion also covered {}.",
    "Other points raised included {}.",
    "Contacts mentioned {}.",
    "The conversation touched on {}.",
)


def _content_sentence(rng: random.Random) -> str:
    words, cumulative = _vocabulary()
    picked = list(dict.fromkeys(rng.choices(words, cum_weights=cumulative, k=rng.randint(12, 24))))
    listed = ", ".join(picked[:-1]) + f" and {picked[-1]}" if len(picked) > 1 else picked[0]
    return rng.choice(_CONTENT_FRAMES).format(listed)


@cache
def posts() -> tuple[Post, ...]:
    """Posts with a known FM PLAD and DE routing indicator, whose ids resolve as written."""
    out = []
    for r in lexicon.read_csv("origins_observed.csv"):
        written = r["classification_line_origin"].upper()
        plad = r["fm_plad"].split(";")[0].strip().upper()
        ri = r["de_routing_indicator"].split(";")[0].strip()
        token = lexicon.origin_token(written)
        if plad and ri and lexicon.canonical_origin(written) == token:
            out.append(Post(written, token, plad, ri))
    return tuple(out)


@cache
def info_addressees() -> tuple[tuple[str, str], ...]:
    """Frequently seen non-post INFO addressees (RI, PLAD): agencies, commands."""
    rows = lexicon.read_csv("routing_indicators_observed.csv")
    return tuple(
        (r["indicator"], r["plad_as_written"].upper())
        for r in rows
        if "INFO" in r["roles"]
        and int(r["occurrences"] or 0) >= 20
        and not r["plad_as_written"].upper().endswith("COLLECTIVE")
    )


@cache
def tag_pools() -> TagPools:
    """Subject tags, program tags and (country code, name) seen in real traffic."""
    rows = lexicon.read_csv("tags.csv")
    seen = [r for r in rows if r["cablegate_sample_count"] not in ("", "0")]
    subject = tuple(r["tag"] for r in seen if r["kind"] == "subject")
    program = tuple(r["tag"] for r in seen if r["kind"] == "program")
    countries = tuple(
        (r["code"], r["name"].upper())
        for r in lexicon.read_csv("country_codes.csv")
        if r["cablegate_sample_count"] not in ("", "0") and r["name"].replace(" ", "").isalpha()
    )
    return TagPools(subject, program, countries)


def _sentence_pool(rng: random.Random, size: int = 3000) -> list[str]:
    w = _words()
    pool = []
    for _ in range(size):
        if rng.random() < 0.2:
            pool.append(rng.choice(w["observations"]))
            continue
        actor = rng.choice(w["actors"])
        body = f"{actor} {rng.choice(w['verbs'])} {rng.choice(w['objects'])} {rng.choice(w['clauses'])}."
        if rng.random() < 0.5:
            pool.append(f"{rng.choice(w['openers'])} {body}")
        else:
            pool.append(body[0].upper() + body[1:])
    return pool


class _Run:
    """State of one synthetic corpus: clocks, serials, counters, earlier cables."""

    def __init__(self, seed: int, count: int, start_year: int, end_year: int) -> None:
        self.rng = random.Random(seed)
        self.pool = _sentence_pool(self.rng)
        self.posts = posts()
        self.state = next(p for p in self.posts if p.token == _STATE)
        self.start = datetime(start_year, 1, 1)
        self.step = (datetime(end_year + 1, 1, 1) - self.start) / max(count, 1)
        self.serials: dict[tuple[str, int], int] = {}
        self.counters: dict[tuple[str, str], int] = {}
        self.csn: dict[str, int] = {}
        self.earlier: dict[str, deque[tuple[str, int, int]]] = {}
        self.recent: deque[tuple[str, int, int]] = deque(maxlen=400)

    def next_serial(self, post: Post, year: int) -> int:
        key = (post.token, year)
        step = self.rng.randint(40, 400) if post is self.state else self.rng.randint(1, 30)
        value = self.serials.get(key, self.rng.randint(1, 200)) + step
        self.serials[key] = value
        return value

    def counter(self, post: Post, ri: str) -> int:
        key = (post.ri, ri)
        value = self.counters.get(key, self.rng.randint(1, 9000)) % 9999 + 1
        self.counters[key] = value
        return value


def synth_cables(
    count: int, *, seed: int = 0, start_year: int = 2003, end_year: int = 2010
) -> Iterator[Cable]:
    """``count`` synthetic cables in DTG order, the same ones for the same arguments."""
    run = _Run(seed, count, start_year, end_year)
    for i in range(count):
        yield _cable(run, run.start + run.step * (i + run.rng.random()))


def synth_text(
    count: int, seed: int = 0, *, start_year: int = 2003, end_year: int = 2010
) -> Iterator[str]:
    """The rendered telegram text of the same cables as ``synth_cables``."""
    for cable in synth_cables(count, seed=seed, start_year=start_year, end_year=end_year):
        yield render(cable)


def _cable(run: _Run, when: datetime) -> Cable:
    rng = run.rng
    when = when.replace(second=0, microsecond=0)
    post = run.state if rng.random() < 0.08 else rng.choice(run.posts)
    prec = rng.choices(_PRECEDENCES, _PRECEDENCE_WEIGHTS)[0]
    cls = rng.choices(_LEVELS, _LEVEL_WEIGHTS)[0]
    serial = run.next_serial(post, when.year)
    classified = cls is not Classification.UNCLASSIFIED
    noforn = classified and rng.random() < 0.2
    sbu = not classified and rng.random() < 0.4
    captions = _captions(rng, when, classified, noforn)
    to, info = _addressees(run, post, prec)
    paragraphs, summary = _paragraphs(run, cls, noforn, sbu)
    subject_tags, program_tags, countries = tag_pools()
    code, country = rng.choice(countries)
    tags = [*rng.sample(subject_tags, rng.randint(1, 2))]
    if rng.random() < 0.5:
        tags.append(rng.choice(program_tags))
    tags.append(code)
    w = _words()
    cable = Cable(
        id=f"{when.year % 100:02d}{post.token}{serial}",
        origin=post.token,
        serial=serial,
        created=f"{when:%Y-%m-%dT%H:%M}:00Z",
        precedence=prec,
        classification=cls,
        sbu=sbu,
        captions=captions,
        header=_header(run, post, when, prec, cls, serial, info),
        from_=Station(post.plad, post.ri),
        to=to,
        info=info,
        distribution=_distribution(rng, post),
        eo=_eo(rng, when, classified),
        classified_by=_classified_by(rng, when) if classified else None,
        tags=tuple(tags),
        subject=f"{country}: {rng.choice(w['topics'])}",
        references=_references(run, post, when, serial),
        paragraphs=paragraphs,
        summary=summary,
        signers=(_signer(post, when),),
    )
    history = run.earlier.setdefault(post.token, deque(maxlen=30))
    history.append((post.written, when.year, serial))
    run.recent.append((post.written, when.year, serial))
    return cable


def _captions(
    rng: random.Random, when: datetime, classified: bool, noforn: bool
) -> tuple[str, ...]:
    out = []
    if classified and rng.random() < 0.04:
        out.append(rng.choice(("NODIS", "EXDIS")))
    if noforn:
        out.append("NOFORN")
    if when.year >= _SIPDIS_FROM:
        out.append("SIPDIS")
    return tuple(out)


def _header(
    run: _Run,
    post: Post,
    when: datetime,
    prec: Precedence,
    cls: Classification,
    serial: int,
    info: tuple[Addressee, ...],
) -> Header:
    rng = run.rng
    members = [
        m for a in info for m in lexicon.collectives().get(a.routing_indicator or "", ("", ()))[1]
    ]
    if members:
        csn = run.csn.get(post.ri, rng.randint(1000, 8999)) % 9999 + 1
        run.csn[post.ri] = csn
        som, ris = f"VZCZCXRO{csn:04d}", tuple(rng.sample(members, min(len(members), 4)))
    else:
        som, ris = "VZCZCXYZ0000", ("RUEHWEB",)
    # Filed a few minutes after the DTG, never past midnight (FL3 day = DTG day).
    filed = when + timedelta(minutes=rng.randint(0, 9))
    if filed.date() != when.date():
        filed = when
    sw = "ZNR" if cls is Classification.UNCLASSIFIED else "ZNY"
    return Header(
        start_of_message=som,
        relay=Relay(prec, ris),
        originator=post.ri,
        station_serial=serial % 10000,
        filed=filed_of(filed),
        security=f"{sw} {cls.letter * 5} ZZH",
        dtg=dtg_of(when),
    )


def _addressees(
    run: _Run, post: Post, prec: Precedence
) -> tuple[tuple[Addressee, ...], tuple[Addressee, ...]]:
    rng = run.rng
    if post is run.state:
        targets = rng.sample(run.posts, 3)
        to = tuple(
            Addressee(p.plad, p.ri, prec, run.counter(post, p.ri)) for p in targets if p is not post
        )
    else:
        state = run.state
        to = (Addressee("SECSTATE WASHDC", state.ri, prec, run.counter(post, state.ri)),)
    info: list[Addressee] = []
    if rng.random() < 0.6:
        ri, (name, _members) = rng.choice(list(lexicon.collectives().items()))
        info.append(Addressee(name, ri, prec, None))
    for p in rng.sample(run.posts, rng.randint(0, 3)):
        if p is not post and p is not run.state:
            lower = [x for x in _PRECEDENCES[1:] if x < prec]
            p_prec = rng.choice(lower) if lower and rng.random() < 0.3 else prec
            info.append(Addressee(p.plad, p.ri, p_prec, run.counter(post, p.ri)))
    for ri, name in rng.sample(info_addressees(), rng.randint(0, 2)):
        if ri not in (run.state.ri, post.ri):
            info.append(Addressee(name, ri, prec, None))
    return to, tuple(info)


def _distribution(rng: random.Random, post: Post) -> tuple[str, ...]:
    if post.token == _STATE or rng.random() < 0.6:
        return ()
    offices = rng.sample(_words()["offices"], rng.randint(1, 4))
    return (f"{rng.choice(('DEPARTMENT FOR', 'STATE FOR'))} {', '.join(offices)}",)


def _eo(rng: random.Random, when: datetime, classified: bool) -> EO:
    order = "13526" if when >= _EO_13526_FROM else "12958"
    if not classified:
        return EO(order, None, "N/A")
    decl = when.date().replace(
        year=when.year + rng.choice((10, 10, 10, 20, 25)), day=min(when.day, 28)
    )
    return EO(order, decl.isoformat(), f"DECL: {decl:%m/%d/%Y}")


def _classified_by(rng: random.Random, when: datetime) -> ClassifiedBy:
    w = _words()
    name = f"{rng.choice(w['given_names'])} {rng.choice(w['surnames']).title()}"
    title = rng.choice(w["titles"])
    section = "1.4" if when >= _REASONS_14_FROM else "1.5"
    letters = rng.choice((("b", "d"), ("d",), ("b", "c", "d")))
    reasons = tuple(f"{section}({x})" for x in letters)
    spelled = " and ".join(f"({x})" for x in letters)
    text = f"Classified By: {title} {name}, reasons {section} {spelled}."
    return ClassifiedBy(name, title, reasons, text)


def _references(run: _Run, post: Post, when: datetime, serial: int) -> tuple[Reference, ...]:
    rng = run.rng
    n = rng.choices((0, 1, 2, 3), (35, 30, 20, 15))[0]
    items: list[tuple[str, str | None]] = []
    for _ in range(n):
        roll = rng.random()
        own = run.earlier.get(post.token)
        if roll < 0.65 and (own or run.recent):
            written, year, ser = rng.choice(own if own and rng.random() < 0.6 else run.recent)
        elif roll < 0.85:
            # An id outside the run (or one it already produced): a serial the
            # post has already passed this year, or any serial of an earlier year.
            other = rng.choice(run.posts)
            passed = run.serials.get((other.token, when.year), 0)
            if other.token == post.token:
                passed = serial - 1
            year = when.year if passed else when.year - rng.randint(1, 3)
            written, ser = other.written, rng.randint(1, passed or 20000)
        else:
            items.append((rng.choice(_words()["non_cable_refs"]), None))
            continue
        text = f"{written} {ser}" if year == when.year else f"{year % 100:02d} {written} {ser}"
        items.append((text, f"{year % 100:02d}{lexicon.origin_token(written)}{ser}"))
    labels = "ABCDEFGH" if len(items) > 1 else ""
    return tuple(
        Reference(text, labels[i] if labels else None, ref_id)
        for i, (text, ref_id) in enumerate(items)
    )


def _paragraphs(
    run: _Run, cls: Classification, noforn: bool, sbu: bool
) -> tuple[tuple[Paragraph, ...], str]:
    rng = run.rng
    levels = [lvl for lvl in _LEVELS if lvl <= cls]
    n = rng.randint(5, 12)
    summary = " ".join(rng.choices(run.pool, k=rng.randint(2, 4)))
    out = []
    for number in range(1, n + 1):
        level = cls if number == 1 else rng.choice(levels)
        mark = mark_letter(level, sbu=sbu and rng.random() < 0.7)
        if noforn and level is cls:
            mark += "/NF"
        body = " ".join([*rng.choices(run.pool, k=rng.randint(3, 9)), _content_sentence(rng)])
        if number == 1:
            body = f"Summary: {summary} End summary."
        elif number == n and n > 5:
            body = f"Comment: {body} End comment."
        out.append(Paragraph(body, number, mark))
    return tuple(out), summary


def _signer(post: Post, when: datetime) -> str:
    w = _words()
    if post.token == _STATE:
        return [name for since, name in w["secretaries"] if since <= f"{when:%Y-%m-%d}"][-1]
    # One chief of mission per post and year: stable within a run, varied across posts.
    surnames = w["surnames"]
    return surnames[(sum(map(ord, post.token)) + when.year) % len(surnames)]
