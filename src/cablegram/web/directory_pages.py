"""The network directory's page: stations, collectives, offices and people,
filtered by a word (``/directory?q=almaty``).  For signed-in users: the
directory names the people of each office."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from cablegram.network.directory_csv import row_of
from cablegram.web.deps import ReaderDep, current_reader
from cablegram.web.drafting import acting_user, network
from cablegram.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(current_reader)])
SHOWN = 200  # rows per kind on the page (the filter narrows the rest)


@router.get("/directory", response_class=HTMLResponse)
def directory_page(
    request: Request, reader: ReaderDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:  # fmt: skip
    acting_user(reader)
    word = " ".join(q.upper().split())
    with network(request) as net:
        d = net.directory
        kinds: dict[str, list[Any]] = {
            "stations": sorted(d.stations.values(), key=lambda s: s.plad),
            "collectives": sorted(d.collectives.values(), key=lambda c: c.name),
            "offices": sorted(d.offices.values(), key=lambda o: o.key),
            "people": sorted(d.people.values(), key=lambda p: p.user),
        }
    rows = {}
    totals = {}
    for kind, entries in kinds.items():
        found = [r for r in map(row_of, entries) if word in " ".join(r.values()).upper()]
        totals[kind] = len(found)
        rows[kind] = found[:SHOWN]
    return render(request, "network/directory.html", {
        "active": "directory", "q": q, "rows": rows, "totals": totals, "shown": SHOWN,
    })  # fmt: skip
