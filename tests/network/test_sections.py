"""A long cable goes as several sections, each its own transmission; the
receiving station delivers it once, when the last section is in, whatever
order they come in, and the copy holds every section's paragraphs."""

from __future__ import annotations

from datetime import UTC, datetime

import synthetic
from synthetic import ALPHA, BRAVO

from cablegram.access.principal import Principal
from cablegram.model import Addressee, Cable, Classification, Paragraph, Precedence
from cablegram.model import Station as From
from cablegram.network.clock import SimulatedClock
from cablegram.network.delivery import STATION
from cablegram.network.inbox import Inboxes
from cablegram.network.installation import Installation
from cablegram.network.release import assemble

PEOPLE = {"bpol": Principal("bpol", sbu=True)}


def test_sections_reassembled_and_delivered_once(deliveries):
    d = synthetic.directory()
    draft = Cable(
        precedence=Precedence.PRIORITY, classification=Classification.UNCLASSIFIED,
        from_=From(ALPHA),
        to=(Addressee(BRAVO, precedence=Precedence.PRIORITY),), tags=("PREL",),
        subject="A LONG ONE", distribution=("BRAVO FOR POL",),
        paragraphs=tuple(Paragraph(f"Paragraph {n}. " + "words " * 40, n, "U")
                         for n in range(1, 7)),
    )  # fmt: skip
    a = assemble(draft, d, serial=9, when=datetime(2006, 5, 15, 10, tzinfo=UTC),
                 numbers={}, section_limit=600)  # fmt: skip
    assert len(a.sections) >= 3
    inst = Installation(d, deliveries, principal_of=PEOPLE.get,
                        clock=SimulatedClock(datetime(2006, 5, 15, 10, 5, tzinfo=UTC)))  # fmt: skip
    sent = inst.transmissions(a.cable, a.telegram)
    assert [t.section for t in sent] == list(range(1, len(a.sections) + 1))
    for t in reversed(sent[1:]):  # all but the first, last one first
        assert inst.receive(t) == []
    assert deliveries.count() == 0
    made = inst.receive(sent[0])
    assert [x.kind for x in made if x.kind == STATION] == [STATION]
    for t in sent:  # again: nothing more
        assert inst.receive(t) == []
    inboxes = Inboxes(deliveries, d, principal_of=PEOPLE.get)
    _, cable = inboxes.show(made[0].id, PEOPLE["bpol"])
    assert [p.number for p in cable.paragraphs] == list(range(1, 7))
