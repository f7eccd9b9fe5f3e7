"""Who is reading: named users, the anonymous public reader, the local owner.

A :class:`Principal` is plain data (what an administrator grants); the rule
that decides what it may read lives in :mod:`cablegram.access.policy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cablegram import lexicon
from cablegram.model import Classification

__all__ = [
    "OWNER",
    "PUBLIC",
    "PUBLISHED",
    "Principal",
    "local_owner",
    "public_reader",
    "published_reader",
    "reader_notice",
]


def _upper_set(items: Iterable[str]) -> frozenset[str]:
    return frozenset(" ".join(i.upper().split()) for i in items if i and i.strip())


@dataclass(frozen=True, slots=True)
class Principal:
    """A reader and what it is cleared for.

    * ``clearance`` — highest classification it may read.
    * ``sbu`` — may read Sensitive But Unclassified (and LOU/FOUO) text; any
      clearance above UNCLASSIFIED includes this (see :attr:`sees_sbu`).
    * ``captions`` — handling captions it is read into (``NOFORN`` for US
      persons, ``NODIS``, ``EXDIS``, ``LIMDIS``, ``STADIS``, ``ROGER`` ...).
    * ``stations`` — routing indicators of the posts it belongs to (``RUEHTA``).
    * ``offices`` — office symbols it belongs to (``EUR/RUS``); membership of
      ``EUR/RUS`` implies membership of the bureau ``EUR``.
    * ``owner`` — full access regardless of all the above (the local archive
      owner, the CLI default), administration included.
    * ``reads_all`` — reads every cable in full, administers nothing: the
      reader of a corpus that is already public (a leak, a declassified
      release), :data:`PUBLISHED`.

    Names are upper-cased and whitespace-folded on construction.
    """

    name: str
    clearance: Classification = Classification.UNCLASSIFIED
    sbu: bool = False
    captions: frozenset[str] = field(default_factory=frozenset)
    stations: frozenset[str] = field(default_factory=frozenset)
    offices: frozenset[str] = field(default_factory=frozenset)
    owner: bool = False
    reads_all: bool = False

    def __post_init__(self) -> None:
        # Accept any iterable (lists from config files) and normalise spelling.
        object.__setattr__(self, "captions", _upper_set(self.captions))
        object.__setattr__(self, "stations", _upper_set(self.stations))
        object.__setattr__(self, "offices", _upper_set(o.replace(" ", "") for o in self.offices))

    @property
    def sees_sbu(self) -> bool:
        """SBU text is open to holders of any clearance and to those granted it."""
        return (self.owner or self.reads_all or self.sbu
                or self.clearance.rank > Classification.UNCLASSIFIED.rank)  # fmt: skip

    @property
    def is_public(self) -> bool:
        """True for a principal with no grant beyond unclassified, non-SBU text."""
        return not (
            self.owner
            or self.reads_all
            or self.sees_sbu
            or self.captions
            or self.stations
            or self.offices
            or self.clearance is not Classification.UNCLASSIFIED
        )

    def routing_indicators(self) -> frozenset[str]:
        """Its stations plus every collective known to include one of them.

        A cable addressed to ``RUCNCIS/CIS COLLECTIVE`` reaches the member
        posts; membership comes from ``lexicon.collectives()`` (partial).
        """
        out = set(self.stations)
        for collective, (_name, members) in lexicon.collectives().items():
            if self.stations.intersection(members):
                out.add(collective)
        return frozenset(out)

    def office_memberships(self) -> frozenset[str]:
        """Its offices and every parent office (``EUR/RUS`` -> ``EUR/RUS``, ``EUR``)."""
        out: set[str] = set()
        for office in self.offices:
            parts = office.split("/")
            out.update("/".join(parts[:n]) for n in range(1, len(parts) + 1))
        return frozenset(out)


def public_reader() -> Principal:
    """The anonymous reader: unclassified, non-SBU, unrestricted text and releases."""
    return Principal(name="public")


def local_owner() -> Principal:
    """The owner of a local archive: reads everything (the CLI default)."""
    return Principal(name="owner", clearance=Classification.TOP_SECRET, sbu=True, owner=True)


def published_reader() -> Principal:
    """The reader of a published corpus: every cable in full, no administration."""
    return Principal(name="published", clearance=Classification.TOP_SECRET, sbu=True,
                     reads_all=True)  # fmt: skip


PUBLIC = public_reader()
OWNER = local_owner()
PUBLISHED = published_reader()


def reader_notice(principal: Principal) -> str:
    """What a reader is reading as and what that hides, in words that reveal no
    hidden cable (the web shows it on every page, the CLI with ``--as``)."""
    if principal.owner:
        return f"Reading as {principal.name}, the archive's owner: every cable is shown."
    if principal.reads_all:
        return "Reading the published corpus: every cable is shown."
    hidden = []
    if principal.clearance is not Classification.TOP_SECRET:
        hidden.append(f"cables above {principal.clearance.value}")
    if not principal.sees_sbu:
        hidden.append("SBU cables")
    hidden.append("cables with captions you are not read into" if principal.captions
                  else "restricted captions")  # fmt: skip
    listed = ", ".join(hidden[:-1]) + (" and " if len(hidden) > 1 else "") + hidden[-1]
    if principal.is_public:
        return f"Reading as the public: {listed} are not shown. Sign in to read more."
    return f"Reading as {principal.name}: {listed} are not shown."
