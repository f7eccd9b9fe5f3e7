"""Regular expressions compiled once per installation, not once per process.

The reader's grammar is some 200 regular expressions compiled when its modules
load.  Python compiles a pattern in Python code (``re._parser`` and
``re._compiler``), which costs more than a third of ``cablegram parse``'s
start-up; the result, the pattern's code for the C engine (``_sre``), is a
list of integers.  :func:`compile` keeps those lists in a file beside the
module's bytecode, as Python keeps bytecode: a later process builds each
pattern from its list directly (``_sre.compile``, which checks the code).

The file is named for the interpreter (``sys.implementation.cache_tag``) and
marked with the engine's version (``_sre.MAGIC``, ``_sre.CODESIZE``); it is
written when ``compile`` met patterns it did not hold, at exit, only where
Python writes bytecode (not under ``PYTHONDONTWRITEBYTECODE``), through a
temporary file and an atomic rename.  A pattern is saved only when the one
built from the saved code equals (``==``: pattern, flags and code) the one
``re.compile`` gives; a missing, stale or damaged file means patterns are
compiled as usual.  Use it for patterns fixed by the code or the vocabulary,
never for patterns built from a cable's text (the file would grow with them).
"""

from __future__ import annotations

import _sre
import contextlib
import marshal
import os
import re
import sys
from typing import Any, AnyStr

# Entries beyond this are not saved: a bound should a caller build patterns from data.
_MAX_ENTRIES = 4096
_MARK = ("cablegram-regex", 1, _sre.MAGIC, _sre.CODESIZE, sys.hexversion)

_entries: dict[tuple[Any, int], tuple[Any, ...]] | None = None
_missed: list[tuple[Any, int]] = []


def _path() -> str | None:
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.pycache_prefix:
        here = os.path.join(sys.pycache_prefix, here.lstrip(os.sep))
    else:
        here = os.path.join(here, "__pycache__")
    return os.path.join(here, f"regex.{tag}.marshal")


def _load() -> dict[tuple[Any, int], tuple[Any, ...]]:
    path = _path()
    try:
        if path is not None:
            with open(path, "rb") as f:
                mark, entries = marshal.loads(f.read())
            if mark == _MARK and isinstance(entries, dict):
                return entries
    except (OSError, ValueError, EOFError, TypeError):
        pass
    return {}


def compile(pattern: AnyStr, flags: int | re.RegexFlag = 0) -> re.Pattern[AnyStr]:
    """``re.compile(pattern, flags)``, from the saved code when there is some."""
    global _entries
    if _entries is None:
        _entries = _load()
    key = (pattern, int(flags))
    entry = _entries.get(key)
    if entry is not None:
        try:
            built: re.Pattern[AnyStr] = _sre.compile(pattern, *entry)
            return built
        except (TypeError, ValueError, RuntimeError):
            del _entries[key]
    compiled = re.compile(pattern, flags)
    if not sys.dont_write_bytecode:
        if not _missed:
            import atexit

            atexit.register(_save)
        _missed.append(key)
    return compiled


def _code(pattern: str | bytes, flags: int) -> tuple[Any, ...] | None:
    """The arguments of ``_sre.compile`` after the pattern, as ``re`` computes
    them (``re._compiler.compile``), when the built pattern equals re's."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        tree = _parser.parse(pattern, flags)
        code = [int(c) for c in _compiler._code(tree, flags)]
        groups = tree.state.groups
        groupindex = {str(k): int(v) for k, v in tree.state.groupdict.items()}
        indexgroup: list[str | None] = [None] * groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        entry = (int(flags | tree.state.flags), code, groups - 1, groupindex, tuple(indexgroup))
        if _sre.compile(pattern, *entry) == re.compile(pattern, flags):
            return entry
    except Exception:  # another Python's internals: nothing saved
        return None
    return None


def _save() -> None:
    path = _path()
    if path is None or not _missed:
        return
    entries = dict(_load())
    for key in _missed:
        if key not in entries and len(entries) < _MAX_ENTRIES:
            entry = _code(*key)
            if entry is not None:
                entries[key] = entry
    _missed.clear()
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as f:
            f.write(marshal.dumps((_MARK, entries)))
        os.replace(temporary, path)
    except OSError:  # a read-only installation: patterns are compiled each time
        with contextlib.suppress(OSError):
            os.unlink(temporary)
