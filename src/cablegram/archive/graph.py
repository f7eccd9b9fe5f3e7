"""The reference graph: what a cable cites, what cites it, threads, exports.

A store keeps each REF by the *key* of the id it cites (ids.py) and resolves
it when asked (``Store.answering``, ``Store.citing``): a cable ingested
later is linked to every earlier citer without rewriting anything, under any
alias spelling.  Every answer is the reader's: a hidden cable is neither a
node nor the end of an edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from cablegram.archive.ids import id_key
from cablegram.archive.store import Node, Store

__all__ = ["Node", "RefLink", "Thread", "cited_by", "graph", "refs", "thread", "to_graphml"]


@dataclass(frozen=True, slots=True)
class RefLink:
    """One REF item of a cable and where it leads.

    ``status``: ``archive`` (targets hold the visible cable ids), ``missing``
    (a cable id the archive does not hold) or ``not-a-cable`` (email, memo...).
    """

    label: str | None
    text: str
    cited_id: str | None
    status: str
    targets: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "text": self.text, "id": self.cited_id,
                "status": self.status, "targets": list(self.targets)}  # fmt: skip


def refs(store: Store, cable_id: str) -> list[RefLink] | None:
    """The REF items of a cable, resolved; None when the cable is not in the archive."""
    items = store.ref_items(cable_id)
    if items is None:
        return None
    out = []
    for item in items:
        if item.cited_id is None or item.cited_key is None:
            out.append(RefLink(item.label, item.text, None, "not-a-cable"))
            continue
        targets = tuple(n.id for n in store.answering(item.cited_key))
        status = "archive" if targets else "missing"
        out.append(RefLink(item.label, item.text, item.cited_id, status, targets))
    return out


def cited_by(store: Store, cable_id: str) -> list[Node] | None:
    """The visible cables whose REFs resolve to this cable, oldest first.

    For a cable the archive does not hold (or this reader may not see) the
    answer is the same question asked of the id: the visible cables whose REF
    names it; None only when the id is unknown and nothing cites it."""
    citers = store.citing(cable_id)
    if citers is not None:
        return citers
    return store.citing_key(id_key(cable_id)) or None


@dataclass(slots=True)
class Thread:
    """The conversation around ``root``: every cable reachable by citing or being
    cited (up to ``depth`` steps), and the edges ``(citer, cited)`` among them."""

    root: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)

    def ordered(self) -> list[Node]:
        return sorted(self.nodes.values(), key=lambda n: (n.created or "9999", n.id))

    def cites(self, cable_id: str) -> list[str]:
        return sorted(b for a, b in self.edges if a == cable_id)

    def cited_by(self, cable_id: str) -> list[str]:
        return sorted(a for a, b in self.edges if b == cable_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "nodes": [
                {
                    "id": n.id,
                    "created": n.created,
                    "subject": n.subject,
                    "classification": n.classification,
                }
                for n in self.ordered()
            ],
            "edges": [{"source": a, "target": b} for a, b in sorted(self.edges)],
        }


def thread(store: Store, cable_id: str, *, depth: int = 4, limit: int = 500) -> Thread | None:
    """Ancestors (what it cites, transitively) and descendants (who cites it)."""
    root = store.node(cable_id)
    if root is None:
        return None
    out = Thread(root.id, {root.id: root})
    for direction in ("up", "down"):
        # Breadth first, a level at a time (one statement a level: Store.thread_step).
        frontier, seen = [root.id], {root.id}
        for _level in range(depth):
            if not frontier or len(out.nodes) >= limit:
                break
            step = store.thread_step(frontier, direction)
            following: list[str] = []
            for current in frontier:
                if len(out.nodes) >= limit:
                    break
                for node in step.get(current, ()):
                    out.edges.add((current, node.id) if direction == "up" else (node.id, current))
                    out.nodes.setdefault(node.id, node)
                    if node.id not in seen:
                        seen.add(node.id)
                        following.append(node.id)
            frontier = following
    return out


def graph(store: Store, cable_ids: list[str]) -> dict[str, Any]:
    """Nodes and citation edges of a set of cables (JSON form)."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: set[tuple[str, str]] = set()
    for cid in cable_ids:
        links = refs(store, cid) or []
        nodes.setdefault(cid, {"id": cid, "in_archive": True})
        for link in links:
            for target in link.targets or ((link.cited_id,) if link.cited_id else ()):
                nodes.setdefault(target, {"id": target, "in_archive": bool(link.targets)})
                edges.add((cid, target))
    for node in nodes.values():
        if node["in_archive"] and (got := store.node(node["id"])) is not None:
            node.update(created=got.created, subject=got.subject,
                        classification=got.classification)  # fmt: skip
    return {
        "nodes": sorted(nodes.values(), key=lambda n: n["id"]),
        "edges": [{"source": a, "target": b} for a, b in sorted(edges)],
    }


def to_graphml(g: dict[str, Any]) -> str:
    """GraphML of :func:`graph`'s output (for Gephi, yEd, networkx)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '<key id="subject" for="node" attr.name="subject" attr.type="string"/>',
        '<key id="created" for="node" attr.name="created" attr.type="string"/>',
        '<key id="in_archive" for="node" attr.name="in_archive" attr.type="boolean"/>',
        '<graph id="cables" edgedefault="directed">',
    ]
    for n in g["nodes"]:
        lines.append(f'<node id="{escape(n["id"])}">')
        for key in ("subject", "created"):
            if n.get(key):
                lines.append(f'<data key="{key}">{escape(str(n[key]))}</data>')
        lines.append(f'<data key="in_archive">{str(n["in_archive"]).lower()}</data></node>')
    for i, e in enumerate(g["edges"]):
        lines.append(
            f'<edge id="e{i}" source="{escape(e["source"])}" target="{escape(e["target"])}"/>'
        )
    lines += ["</graph>", "</graphml>"]
    return "\n".join(lines) + "\n"
