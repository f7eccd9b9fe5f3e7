"""The files of a directory, as every reader of directories lists them.

Sorted, recursive, hidden entries skipped; symbolic links to directories are
followed unless they lead back into a directory already listed (a loop).  A
subdirectory that cannot be listed, a dangling link or a link loop is not
skipped silently: it comes as a :class:`NotACableError` naming its path, and
the listing goes on.  ``cablegram parse``, ``read(dir)`` and ingest all list
directories here.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator

from cablegram.model import NotACableError


def open_error(error: OSError, path: str) -> NotACableError:
    """The clear reason a file could not be opened or listed."""
    if isinstance(error, FileNotFoundError) or error.errno == errno.ENOENT:
        if os.path.islink(path):
            return NotACableError(f"dangling symbolic link (to {os.readlink(path)})", path)
        return NotACableError("no such file or directory", path)
    if error.errno == errno.ELOOP:
        return NotACableError("symbolic link loop", path)
    if isinstance(error, PermissionError):
        return NotACableError("cannot read: permission denied", path)
    return NotACableError(f"cannot read: {error.strerror or error}", path)


def walk_files(path: str) -> Iterator[str | NotACableError]:
    """Each file under the directory ``path`` (or ``path`` itself when it is no
    directory), or the error of an entry that cannot be listed."""
    if not os.path.isdir(path):
        yield path
        return
    errors: list[OSError] = []
    seen: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(path, onerror=errors.append, followlinks=True):
        for failed in errors:
            yield open_error(failed, failed.filename or root)
        errors.clear()
        try:
            info = os.stat(root)
        except OSError as error:
            yield open_error(error, root)
            dirs[:] = []
            continue
        if (info.st_dev, info.st_ino) in seen:  # reached again through a link
            yield NotACableError("symbolic link loop (a directory already read)", root)
            dirs[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            yield os.path.join(root, name)
    for failed in errors:
        yield open_error(failed, failed.filename or path)
