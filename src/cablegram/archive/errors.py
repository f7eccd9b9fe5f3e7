"""Errors of the archive that every backend raises the same way."""

from __future__ import annotations

__all__ = ["AccessDenied", "ArchiveNotFound", "ArchiveVersionError", "NotAnArchive"]


class AccessDenied(PermissionError):
    """An operation the reader may not do (administration by a non-owner)."""


class ArchiveNotFound(FileNotFoundError):
    """A reading command named an archive that does not exist."""


class ArchiveVersionError(RuntimeError):
    """The archive was written by a layout this cablegram cannot open."""

    def __init__(self, where: str, found: str, current: int, *, too_old: bool = False) -> None:
        if too_old:
            message = (
                f"{where}: archive layout {found} predates versioned migrations (this cablegram "
                f"writes {current}); rebuild it with `cablegram reindex --archive {where}` "
                "(copies are kept)"
            )
        else:
            message = (
                f"{where}: archive layout {found} was written by a newer cablegram (this one "
                f"writes {current}); upgrade cablegram to open it"
            )
        super().__init__(message)
        self.path = where
        self.found = found


class NotAnArchive(RuntimeError):
    """The location holds something that is not an archive (or cannot be read as one)."""
