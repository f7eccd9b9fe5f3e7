"""The parts of a cable as frozen dataclasses.

Field names and meanings follow ``cable.schema.json`` exactly; see the schema's
descriptions for each.  Sequences are tuples so that a cable is hashable and
safe to share between threads and processes.  Fields beyond the schema
(``section``, ``xmt``, ``notices``, ``classification_trailer``,
``unrecognized_head_lines``, ``header.section``, ``header.signals``) are
additions the schema allows; they are emitted by
``to_dict`` and tolerated when missing by ``from_dict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cablegram.model.enums import Classification, Precedence


@dataclass(frozen=True, slots=True)
class Defect:
    """An irregularity the parser met and how it read past it.

    ``code`` is stable (documented in docs/format.md); ``line`` is 1-based in
    the cable's normalised text (``Cable.text`` for text defects, the source
    document for source defects) or ``None`` when the defect has no place.
    """

    code: str
    message: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Relay:
    """FL2: the doubled precedence prosign and the routing indicators of this copy."""

    precedence: Precedence | None = None
    routing_indicators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Header:
    """The ACP-127 transmission header (FL1-FL5) as far as the source kept it."""

    start_of_message: str | None = None
    relay: Relay | None = None
    originator: str | None = None
    station_serial: int | None = None
    filed: str | None = None
    security: str | None = None
    dtg: str | None = None
    section: int | None = None  # the /NN after the station serial (#3360/01)
    signals: str | None = None  # operating signals after the DTG on FL5 (ZDK, ZEL)


@dataclass(frozen=True, slots=True)
class Station:
    """The originator on the FM line."""

    name: str
    routing_indicator: str | None = None


@dataclass(frozen=True, slots=True)
class Addressee:
    """One TO / INFO / XMT entry."""

    name: str
    routing_indicator: str | None = None
    precedence: Precedence | None = None
    serial: int | None = None
    # NIACT IMMEDIATE: night action, act at once day or night (a State label on
    # an IMMEDIATE addressee, NETWORK §4); applies to this addressee only.
    niact: bool = False


@dataclass(frozen=True, slots=True)
class EO:
    """The E.O. (declassification) line."""

    order: str | None = None
    declassify_on: str | None = None  # ISO date
    text: str | None = None


@dataclass(frozen=True, slots=True)
class ClassifiedBy:
    """The "Classified By" block.  ``office`` is an office symbol written with
    the classifier (``AF/C``, ``EUR/RPM``; an extension of the schema)."""

    name: str | None = None
    title: str | None = None
    reasons: tuple[str, ...] = ()
    text: str | None = None
    office: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """One item of the REF block.  ``id`` is None for non-cable references."""

    text: str
    label: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of the body.  ``number`` is None for unnumbered text."""

    text: str
    number: int | None = None
    marking: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """SECTION n OF m from the classification line."""

    number: int
    total: int


@dataclass(frozen=True, slots=True)
class Source:
    """Where the cable was read from.  ``metadata`` is what the source states
    outside the cable text (never authoritative over the text).

    ``lines`` places the cable's elements in the source file: element key (the
    keys of ``format.render.render_located``: ``EO``, ``TAGS``, ``PARA.3``,
    ``TO.0``, ``FL4`` ...) -> 1-based line of the file where the element starts.
    It is a fact of one reading, filled by the parser for ``validate`` to report
    findings where they are; it is not part of the JSON form and does not take
    part in comparisons.
    """

    format: str = "telegram"
    path: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)
    lines: dict[str, int] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class Cable:
    """One diplomatic cable.  See cable.schema.json for each field."""

    id: str | None = None
    origin: str | None = None
    serial: int | None = None
    created: str | None = None  # ISO 8601 UTC, e.g. 2006-05-15T02:25:00Z
    precedence: Precedence | None = None
    classification: Classification | None = None
    sbu: bool = False
    captions: tuple[str, ...] = ()
    header: Header | None = None
    from_: Station | None = None
    to: tuple[Addressee, ...] = ()
    info: tuple[Addressee, ...] = ()
    xmt: tuple[Addressee, ...] = ()
    distribution: tuple[str, ...] = ()
    eo: EO | None = None
    classified_by: ClassifiedBy | None = None
    tags: tuple[str, ...] = ()
    subject: str | None = None
    references: tuple[Reference, ...] = ()
    paragraphs: tuple[Paragraph, ...] = ()
    summary: str | None = None
    signers: tuple[str, ...] = ()
    text: str = ""
    source: Source = field(default_factory=Source)
    defects: tuple[Defect, ...] = ()
    section: Section | None = None
    # Service notices of the text as written: the correction notice
    # "C O R R E C T E D  C O P Y (reason)" of a corrected copy (FORMAT §3.1).
    notices: tuple[str, ...] = ()
    # What the classification line holds after the serial, as written (SECTO 012,
    # a caption run onto the line): kept so that rendering loses no text.
    classification_trailer: str | None = None
    # Lines of the message head that are none of its elements (a subject or REF
    # line cut off its block by a blank line, stray notes), as written, in order.
    unrecognized_head_lines: tuple[str, ...] = ()

    @property
    def year(self) -> int | None:
        """Four-digit year of the cable (from ``created``, else from the id)."""
        if self.created:
            return int(self.created[:4])
        if self.id and self.id[:2].isdigit():
            yy = int(self.id[:2])
            return 1900 + yy if yy >= 66 else 2000 + yy
        return None

    def to_dict(self) -> dict[str, Any]:
        from cablegram.model.json import to_dict

        return to_dict(self)
