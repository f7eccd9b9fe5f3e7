"""THE access rule, in Python (:func:`may_read`) and as data a database compiles (:func:`read_rule`).

A principal may read a cable when

1. it is the owner, or the cable has been released to the public by a
   declassification decision (``release`` or ``release-in-part``; readers then
   get :func:`cablegram.access.declass.public_view`), or
2. all of:
   a. its clearance rank >= the cable's effective classification rank,
   b. the cable carries no SBU text, or the principal may see SBU,
   c. every controlling caption of the cable (NOFORN, ORCON, NOCONTRACT,
      NODIS, EXDIS, LIMDIS, STADIS, SPECAT, ROGER ...) is among the captions it
      is read into, and
   d. if the cable carries a restricted-distribution caption (kind
      ``distribution``/``channel`` in the lexicon), it belongs to one of the
      cable's stations (originator, TO, INFO, XMT — collectives included) or
      to one of the offices named on its distribution lines.

The public reader is simply the principal with no grants: it reads
UNCLASSIFIED, non-SBU cables without controlling captions, plus releases.
The facts compared are :func:`cablegram.access.facts.access_facts`; the
archive stores them (:func:`access_rows`, :func:`caption_mask`) and each of
its storage backends compiles :func:`read_rule` — part 2 of the rule for one
principal, as plain data — into its own SQL over them, so the rule is
enforced inside every query (``archive/sqlite/access.py``,
``archive/postgres/access.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from cablegram.access.facts import (
    AccessFacts,
    access_facts,
    controlling_captions,
    restricted_captions,
)
from cablegram.access.principal import Principal, public_reader
from cablegram.model import Cable, Classification

__all__ = [
    "AccessRows",
    "ReadRule",
    "access_rows",
    "caption_bits",
    "caption_mask",
    "may_read",
    "may_read_facts",
    "read_rule",
    "reads_as_cleared",
    "reads_as_public",
]


def may_read_facts(principal: Principal, facts: AccessFacts, *, released: bool = False) -> bool:
    """The rule over already-computed facts (see the module docstring)."""
    if principal.owner or principal.reads_all or released:
        return True
    if principal.clearance.rank < facts.class_rank:
        return False
    if facts.sbu and not principal.sees_sbu:
        return False
    if not facts.captions <= principal.captions:
        return False
    if facts.captions & restricted_captions():
        member = bool(facts.stations & principal.routing_indicators()) or bool(
            facts.offices & principal.office_memberships()
        )
        if not member:
            return False
    return True


def may_read(principal: Principal, cable: Cable, *, released: bool = False) -> bool:
    """May ``principal`` read ``cable`` in full?  ``released``: a public release
    decision is in force for the cable (then everyone reads the public view)."""
    return may_read_facts(principal, access_facts(cable), released=released)


@dataclass(frozen=True, slots=True)
class AccessRows:
    """The values the archive stores for one cable so that its backends can
    apply :func:`read_rule`: the effective level, the SBU flag, the
    controlling captions, the addressees (role ``from``/``to``/``info``/
    ``xmt``, routing indicator, name) and the distribution offices."""

    class_rank: int
    sbu: int
    captions: tuple[str, ...]
    addressees: tuple[tuple[str, str | None, str], ...]  # (role, routing_indicator, name)
    offices: tuple[str, ...]


def _ri(indicator: str | None) -> str | None:
    # Stored upper-case, as AccessFacts.stations and Principal.stations are.
    return indicator.upper() if indicator else None


def access_rows(cable: Cable) -> AccessRows:
    """What the archive writes for ``cable`` (see :class:`AccessRows`)."""
    facts = access_facts(cable)
    addressees: list[tuple[str, str | None, str]] = []
    if cable.from_ is not None:
        addressees.append(("from", _ri(cable.from_.routing_indicator), cable.from_.name))
    for role, items in (("to", cable.to), ("info", cable.info), ("xmt", cable.xmt)):
        addressees.extend((role, _ri(a.routing_indicator), a.name) for a in items)
    return AccessRows(
        class_rank=facts.class_rank,
        sbu=int(facts.sbu),
        captions=tuple(sorted(facts.captions)),
        addressees=tuple(addressees),
        offices=tuple(sorted(facts.offices)),
    )


def caption_bits() -> dict[str, int]:
    """Bit of each controlling caption in a caption mask column (sorted order).

    An archive records the map it was built with; its backend tests the mask
    only when that map is this lexicon's (else it reads the caption rows).
    """
    return {name: i for i, name in enumerate(sorted(controlling_captions()))}


def caption_mask(captions: Iterable[str], bits: Mapping[str, int]) -> int:
    """The mask of ``captions`` under ``bits`` (captions without a bit ignored)."""
    return sum(1 << bits[c] for c in set(captions) if c in bits)


@dataclass(frozen=True, slots=True)
class ReadRule:
    """Part 2 of the rule for one (non-owner) principal, as data.

    A cable may be read in full when every test holds:

    * ``max_rank`` — its effective classification rank is at most this
      (None: the level tests (a)-(b) are left out, see :func:`read_rule`);
    * ``sbu`` — it carries no SBU text, unless this is True;
    * ``denied`` — it carries none of these controlling captions (those the
      principal is not read into);
    * ``restricted`` — if it carries one of these (restricted captions the
      principal *is* read into), one of its addressees' routing indicators is
      in ``stations`` or one of its distribution offices is in ``offices``.
    """

    max_rank: int | None
    sbu: bool
    denied: frozenset[str]
    restricted: frozenset[str]
    stations: frozenset[str]
    offices: frozenset[str]


def read_rule(principal: Principal, *, level: bool = True) -> ReadRule | None:
    """The rule's part 2 for ``principal`` (None: it reads everything — the
    owner, the reader of a published corpus).

    ``level=False`` leaves out the clearance and SBU tests (a)-(b) and keeps
    the handling tests (c)-(d): the archive uses it to open a reader-level
    release view of a cable above the reader's clearance (partial-release
    search policy)."""
    if principal.owner or principal.reads_all:
        return None
    return ReadRule(
        max_rank=principal.clearance.rank if level else None,
        sbu=principal.sees_sbu or not level,
        denied=controlling_captions() - principal.captions,
        restricted=restricted_captions() & principal.captions,
        stations=principal.routing_indicators(),
        offices=principal.office_memberships(),
    )


def _reach(rule: ReadRule | None) -> ReadRule | None:
    """``rule`` without the memberships it never consults (stations and
    offices count only for restricted captions the principal is read into)."""
    if rule is None or rule.restricted:
        return rule
    return replace(rule, stations=frozenset(), offices=frozenset())


def reads_as_public(principal: Principal) -> bool:
    """Whether ``principal`` reads exactly what the public reader reads: the
    same cables, through the same release views (its rule, memberships aside,
    is the public reader's; so are its clearance, for the partial-release
    views, and its handling tests).  A backend answers such a reader from an
    index of the public tier alone, so its queries never touch what is hidden
    (``archive/sqlite/tiers.py``)."""
    rule = read_rule(principal)
    return rule is not None and _reach(rule) == _reach(read_rule(public_reader()))


def cleared_reader(clearance: Classification) -> Principal:
    """The reader cleared to ``clearance`` with no read-ins (captions, SBU
    grant) and no memberships: what a clearance tier holds (tiers.py)."""
    return Principal(f"cleared-{clearance.rank}", clearance)


def reads_as_cleared(principal: Principal) -> Classification | None:
    """The clearance whose plain reader (:func:`cleared_reader`) reads exactly
    what ``principal`` reads — the same cables through the same views — or
    None (the public reader's, the owner's, or a reader with caption
    read-ins).  A backend answers such a reader from the index of that
    clearance tier alone (``archive/sqlite/tiers.py``)."""
    rule = read_rule(principal)
    if rule is None or principal.clearance == Classification.UNCLASSIFIED:
        return None
    if _reach(rule) == _reach(read_rule(cleared_reader(principal.clearance))):
        return principal.clearance
    return None
