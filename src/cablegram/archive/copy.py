"""Copy a whole archive to another location, on either backend (``cablegram copy``).

The copies (the system of record) are parsed again into the destination by
the ingest workers, so the destination's derived rows are exactly what that
backend builds from them; accounts, decisions, the audit log and settings
are carried over as they are.  Then both archives are compared: the same
cables, the same number of copies, and for every cable the same content
digest of its schema JSON (``records.content_digest``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cablegram.archive.ingest import (
    IngestReport,
    Progress,
    WorkerConfig,
    parse_limit,
    run_tasks,
    stored_tasks,
)
from cablegram.archive.store import Store

__all__ = ["CopyError", "CopyReport", "compare", "copy_archive"]


class CopyError(RuntimeError):
    """The destination is not empty, or differs from the source after copying."""


@dataclass(slots=True)
class CopyReport:
    cables: int = 0
    copies: int = 0
    users: int = 0
    decisions: int = 0
    audit: int = 0
    differences: list[str] = field(default_factory=list)
    ingest: IngestReport = field(default_factory=IngestReport)

    @property
    def identical(self) -> bool:
        return not self.differences

    def to_dict(self) -> dict[str, Any]:
        return {"cables": self.cables, "copies": self.copies, "users": self.users,
                "decisions": self.decisions, "audit": self.audit,
                "identical": self.identical, "differences": self.differences,
                "seconds": round(self.ingest.seconds, 3)}  # fmt: skip


def compare(source: Store, target: Store, *, most: int = 20) -> list[str]:
    """What differs between two archives' contents (empty: the same cables,
    copies, accounts, decisions and audit log); at most ``most`` lines."""
    out: list[str] = []
    a, b = source.checksums(), target.checksums()
    for cid in sorted(a.keys() - b.keys())[:most]:
        out.append(f"{cid}: missing from the copy")
    for cid in sorted(b.keys() - a.keys())[:most]:
        out.append(f"{cid}: in the copy only")
    for cid in sorted(k for k in a.keys() & b.keys() if a[k] != b[k])[:most]:
        out.append(f"{cid}: content differs")
    if (n := sum(1 for _ in source.iter_documents())) != (
        m := sum(1 for _ in target.iter_documents())
    ):
        out.append(f"copies: {n} in the source, {m} in the copy")
    kept_a, kept_b = source.kept_records(), target.kept_records()
    for name in ("users", "decisions", "audit", "network"):
        if getattr(kept_a, name) != getattr(kept_b, name):
            out.append(f"{name}: differ")
    if kept_a.settings != kept_b.settings:
        out.append("settings: differ")
    return out[:most]


def copy_archive(
    source_location: str,
    target_location: str,
    *,
    workers: int = 2,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy the archive at ``source_location`` into an empty one at
    ``target_location`` and compare them (``CopyReport.differences``);
    :class:`CopyError` when the destination is not empty."""
    from cablegram.archive.archive import Archive

    with Archive(source_location, create=False) as source, Archive(target_location) as target:
        src, dst = source.store, target.store
        if dst.stats(size=1)["cables"] or dst.kept_records().users:
            raise CopyError(f"{target_location}: not empty (copy into a new archive)")
        kept = src.kept_records()
        dst.put_kept_records(kept)  # decisions first: views are published as cables arrive
        report = CopyReport(users=len(kept.users), decisions=len(kept.decisions),
                            audit=len(kept.audit))  # fmt: skip
        config = WorkerConfig(dst.partial_release, parse_limit(None))
        tasks = stored_tasks(src.iter_documents(), config)
        run_tasks(dst, tasks, report.ingest, workers=workers, progress=progress,
                  skip_stored=False)  # fmt: skip
        stats = dst.stats(size=1)
        report.cables, report.copies = stats["cables"], stats["copies"]
        report.differences = compare(src, dst)
        return report
