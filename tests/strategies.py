"""Hypothesis strategies for valid, releasable cables.

``cables()`` draws cables that satisfy every release rule (no validate
errors) and whose fields are what a parse of their rendering gives back:
consistent id/serial/DTG/header, portion marks at or below the
classification, captions most restrictive first, vocabulary from the lexicon.
Free text (subject, paragraphs, names) is drawn from word alphabets that
cannot be mistaken for telegram structure.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import strategies as st

from cablegram.format import synth
from cablegram.format.render import dtg_of, filed_of
from cablegram.lexicon import collectives
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
    Section,
    Station,
)

LEVEL_MARK = {
    Classification.UNCLASSIFIED: "U",
    Classification.CONFIDENTIAL: "C",
    Classification.SECRET: "S",
    Classification.TOP_SECRET: "TS",
}
LEVELS = tuple(LEVEL_MARK)

# Plain words: letters only, so no word can read as a paragraph number, a
# portion mark, a reference serial or a keyword line.
_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10).filter(
    lambda w: (
        w
        not in {"end", "summary", "comment", "ref", "refs", "tags", "subject", "subj", "bt", "nnnn"}
        | {"fm", "to", "info", "xmt", "de", "sipdis", "noforn", "unclas", "secret", "confidential"}
    )
)
_upper_word = _word.map(str.upper)


@st.composite
def sentences(draw: st.DrawFn, min_size: int = 1, max_size: int = 4) -> str:
    out = []
    for _ in range(draw(st.integers(min_size, max_size))):
        words = draw(st.lists(_word, min_size=3, max_size=12))
        sentence = " ".join(words)
        out.append(sentence[0].upper() + sentence[1:] + draw(st.sampled_from([".", "?", "!"])))
    return " ".join(out)


@st.composite
def cables(draw: st.DrawFn) -> Cable:
    posts = synth.posts()
    post = draw(st.sampled_from(posts))
    state = next(p for p in posts if p.token == "STATE")
    when = draw(st.datetimes(datetime(2003, 4, 1), datetime(2010, 6, 1))).replace(
        second=0, microsecond=0
    )
    prec = draw(st.sampled_from(list(Precedence)))
    cls = draw(st.sampled_from(LEVELS))
    classified = cls is not Classification.UNCLASSIFIED
    serial = draw(st.integers(1, 999999))
    sections = draw(st.none() | st.integers(2, 5))
    section = None
    if sections:
        section = Section(draw(st.integers(1, sections)), sections)
    noforn = classified and draw(st.booleans())
    sbu = not classified and draw(st.booleans())
    caps = []
    if classified and draw(st.booleans()):
        caps.append(draw(st.sampled_from(["NODIS", "EXDIS", "LIMDIS"])))
    if noforn:
        caps.append("NOFORN")
    if draw(st.booleans()):
        caps.append("SIPDIS")

    to_post = state if post is not state else draw(st.sampled_from(posts))
    to = (Addressee(to_post.plad, to_post.ri, prec, draw(st.integers(1, 9999))),)
    info = []
    if draw(st.booleans()):
        ri, (name, _members) = draw(st.sampled_from(sorted(collectives().items())))
        info.append(Addressee(name, ri, prec, None))
    for ri, name in draw(
        st.lists(st.sampled_from(synth.info_addressees()), max_size=2, unique=True)
    ):
        lower = draw(st.sampled_from([p for p in Precedence if p <= prec and p.rank > 0] or [prec]))
        info.append(Addressee(name, ri, lower, None))

    relay_ris = tuple(
        draw(
            st.lists(
                st.sampled_from(["RUEHWEB", "RUEHDBU", "RUEHLN"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
    )
    filed = when + timedelta(minutes=draw(st.integers(0, 30)))
    if filed.date() != when.date():
        filed = when
    # A corrected copy: the ZDS signal after the DTG and the notice in the text;
    # or a repeated transmission (ZDK) without a notice.
    corrected = draw(st.booleans()) and draw(st.booleans())
    notices: tuple[str, ...] = ()
    signals = None
    if corrected:
        reason = " ".join(draw(st.lists(_upper_word, min_size=1, max_size=3)))
        notices, signals = (f"C O R R E C T E D  C O P Y ({reason})",), "ZDS"
    elif draw(st.booleans()) and draw(st.booleans()):
        signals = "ZDK"
    header = Header(
        start_of_message=f"VZCZCXRO{draw(st.integers(0, 9999)):04d}",
        relay=Relay(prec, relay_ris),
        originator=post.ri,
        station_serial=serial % 10000,
        filed=filed_of(filed),
        security=("ZNY " if classified else "ZNR ") + cls.letter * 5 + " ZZH",
        dtg=dtg_of(when),
        section=section.number if section else None,
        signals=signals,
    )

    subject_tags, program_tags, countries = synth.tag_pools()
    code, country = draw(st.sampled_from(countries))
    tags = (
        *draw(st.lists(st.sampled_from(subject_tags), min_size=1, max_size=3, unique=True)),
        *draw(st.lists(st.sampled_from(program_tags), max_size=1)),
        code,
    )
    subject = f"{country}: " + " ".join(draw(st.lists(_upper_word, min_size=1, max_size=8)))

    if classified:
        decl = when.date() + timedelta(days=draw(st.integers(365, 365 * 24)))
        eo = EO("12958", decl.isoformat(), f"DECL: {decl:%m/%d/%Y}")
        letters = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=3, unique=True))
        letters.sort()
        name = " ".join(w.title() for w in draw(st.lists(_word, min_size=2, max_size=2)))
        title = draw(st.sampled_from(["Ambassador", "Political Counselor", "Pol-Econ Chief"]))
        spelled = " and ".join(f"({x})" for x in letters)
        classified_by = ClassifiedBy(
            name,
            title,
            tuple(f"1.4({x})" for x in letters),
            f"Classified By: {title} {name}, reasons 1.4 {spelled}.",
        )
    else:
        eo = EO("12958", None, "N/A")
        classified_by = None

    refs = []
    n_refs = draw(st.integers(0, 3))
    for i in range(n_refs):
        other = draw(st.sampled_from(posts))
        ser = draw(st.integers(1, 99999))
        yy = (when.year - draw(st.integers(0, 3))) % 100
        if other.token == post.token and yy == when.year % 100 and ser >= serial:
            yy = (when.year - 1) % 100  # a series cites only its earlier serials
        text = (
            f"{other.written} {ser}" if yy == when.year % 100 else f"{yy:02d} {other.written} {ser}"
        )
        refs.append(
            Reference(text, "ABC"[i] if n_refs > 1 else None, f"{yy:02d}{other.token}{ser}")
        )

    levels = [lvl for lvl in LEVELS if lvl <= cls]
    n_paras = draw(st.integers(1, 6))
    summary = draw(sentences()) if n_paras > 1 and draw(st.booleans()) else None
    paragraphs = []
    for number in range(1, n_paras + 1):
        level = cls if number == 1 else draw(st.sampled_from(levels))
        mark = "SBU" if sbu and draw(st.booleans()) else LEVEL_MARK[level]
        if noforn and level is cls:
            mark += "/NF"
        text = draw(sentences())
        if number == 1 and summary:
            text = f"Summary: {summary} End summary."
        if n_paras == 1 and not classified:
            # A lone unclassified paragraph is written bare, unnumbered and unmarked.
            paragraphs.append(Paragraph(text, None, None))
        else:
            paragraphs.append(Paragraph(text, number, mark))

    return Cable(
        id=f"{when.year % 100:02d}{post.token}{serial}",
        origin=post.token,
        serial=serial,
        created=f"{when:%Y-%m-%dT%H:%M}:00Z",
        precedence=prec,
        classification=cls,
        sbu=sbu,
        captions=tuple(caps),
        header=header,
        from_=Station(post.plad, post.ri),
        to=to,
        info=tuple(info),
        xmt=tuple(
            Addressee(p.plad, None, prec, None)
            for p in draw(st.lists(st.sampled_from(posts), max_size=1))
        ),
        distribution=(f"DEPARTMENT FOR {draw(st.sampled_from(['EUR/RUS', 'SCA/CEN', 'INR/B']))}",)
        if draw(st.booleans())
        else (),
        eo=eo,
        classified_by=classified_by,
        tags=tags,
        subject=subject,
        references=tuple(refs),
        paragraphs=tuple(paragraphs),
        summary=summary,
        signers=(draw(_upper_word),),
        section=section,
        notices=notices,
    )
