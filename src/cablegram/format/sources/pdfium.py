"""The few PDFium functions :mod:`~cablegram.format.sources.aad_pdf` calls.

pypdfium2 (the optional ``[pdf]`` dependency) ships PDFium as a shared library
in its ``pypdfium2_raw`` package, with ctypes bindings for all of PDFium's API:
importing them declares some 470 functions and 70 structures, 0.07 G instructions
(its high-level package 0.04 G more), as much as reading three printouts.
This module declares the 21 functions the printouts need on the same library
file and starts PDFium as pypdfium2 does (version 2 of the configuration,
nothing set).

Only result types are declared.  Arguments go as ctypes values: handles as
the functions return them (:class:`Handle`), structures and doubles by
``ctypes.byref``, ``None`` for null, and Python ints where C takes an ``int``.
ctypes then converts nothing, and a call costs about 4 k instructions instead
of 6 k: the printouts take some 20,000 calls, two for each blank.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
import threading
from ctypes import c_float, c_int, c_uint, c_ulong, c_ushort, c_void_p
from typing import Any

FPDF_PAGEOBJ_TEXT = 1
FPDF_ERR_PASSWORD = 4
# PDFium's error codes as pypdfium2 names them: its messages are kept.
ERROR_NAMES = {
    0: "Success",
    1: "Unknown error",
    2: "File access error",
    3: "Data format error",
    FPDF_ERR_PASSWORD: "Incorrect password error",
    5: "Unsupported security scheme error",
    6: "Page not found or content error",
}


class PdfiumError(RuntimeError):
    """PDFium reported a failure (named as pypdfium2 names it: messages are kept)."""


class FS_RECTF(ctypes.Structure):
    _fields_ = [("left", c_float), ("top", c_float), ("right", c_float), ("bottom", c_float)]


class FS_MATRIX(ctypes.Structure):
    _fields_ = [(name, c_float) for name in "abcdef"]


class _LibraryConfig(ctypes.Structure):  # FPDF_LIBRARY_CONFIG up to version 2
    _fields_ = [
        ("version", c_int),
        ("m_pUserFontPaths", c_void_p),
        ("m_pIsolate", c_void_p),
        ("m_v8EmbedderSlot", c_uint),
    ]


class Handle(c_void_p):
    """A PDFium handle: as a subclass, ctypes returns it as it is (not as an int),
    to be passed back as a pointer; its ``value`` is the address (``None``: null)."""


# name: result type, as fpdfview.h, fpdf_text.h and fpdf_edit.h declare it.
_RESULTS: dict[str, Any] = {
    "FPDF_InitLibraryWithConfig": None,
    "FPDF_LoadMemDocument64": Handle,  # (data, size: c_size_t, password)
    "FPDF_GetLastError": c_ulong,
    "FPDF_GetPageCount": c_int,
    "FPDF_GetSecurityHandlerRevision": c_int,
    "FPDF_CloseDocument": None,
    "FPDF_LoadPage": Handle,
    "FPDF_ClosePage": None,
    "FPDFPage_CountObjects": c_int,
    "FPDFPage_GetObject": Handle,
    "FPDFPageObj_GetType": c_int,
    "FPDFPageObj_GetMatrix": c_int,  # (object, FS_MATRIX*)
    "FPDFTextObj_GetText": c_ulong,  # (object, text page, buffer, size: c_ulong)
    "FPDFText_LoadPage": Handle,
    "FPDFText_ClosePage": None,
    "FPDFText_CountChars": c_int,
    "FPDFText_GetTextIndexFromCharIndex": c_int,
    "FPDFText_GetText": c_int,  # (text page, start, count, unsigned short buffer)
    "FPDFText_GetCharOrigin": c_int,  # (text page, index, double* x, double* y)
    "FPDFText_GetTextObject": Handle,
    "FPDFText_GetLooseCharBox": c_int,  # (text page, index, FS_RECTF*)
}

_library: ctypes.CDLL | None = None
_STARTING = threading.Lock()  # two threads' first PDFs must not start PDFium together


def library() -> ctypes.CDLL:
    """PDFium, started, with the functions above declared (ImportError without pypdfium2)."""
    global _library
    if _library is None:
        with _STARTING:
            if _library is None:
                lib = ctypes.CDLL(_library_path())
                for name, result in _RESULTS.items():
                    getattr(lib, name).restype = result
                # Starting twice is harmless (PDFium returns): pypdfium2 may run beside.
                lib.FPDF_InitLibraryWithConfig(ctypes.byref(_LibraryConfig(version=2)))
                _library = lib
    return _library


def _library_path() -> str:
    """The library file of ``pypdfium2_raw``, found without importing its bindings."""
    spec = importlib.util.find_spec("pypdfium2_raw")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pypdfium2_raw")
    if sys.platform.startswith(("win32", "cygwin", "msys")):
        name = "pdfium.dll"
    elif sys.platform.startswith(("darwin", "ios")):
        name = "libpdfium.dylib"
    else:
        name = "libpdfium.so"
    path = os.path.join(spec.submodule_search_locations[0], name)
    if os.path.exists(path):
        return path
    # A build against a PDFium installed elsewhere: its bindings know where.
    from pypdfium2_raw.bindings import _libs

    return str(_libs["pdfium"]._name)


def text_range(tp: Handle, count: int) -> str:
    """The text of a text page's ``count`` chars as pypdfium2's ``get_text_range``
    gives it: chars without text at either end are left out."""
    lib = library()
    first, last = 0, count - 1
    while first <= last and (start := lib.FPDFText_GetTextIndexFromCharIndex(tp, first)) == -1:
        first += 1
    if first > last:
        return ""
    while (end := lib.FPDFText_GetTextIndexFromCharIndex(tp, last)) == -1:
        last -= 1
    buffer = (c_ushort * (end + 2 - start))()
    written = lib.FPDFText_GetText(tp, first, last + 1 - first, buffer)
    return bytes(memoryview(buffer)[: written - 1]).decode("utf-16-le", "ignore")
