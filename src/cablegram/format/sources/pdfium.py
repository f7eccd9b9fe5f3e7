"""The few PDFium functions :mod:`~cablegram.format.sources.aad_pdf` calls.

pypdfium2 (the optional ``[pdf]`` dependency) ships PDFium as a shared library
in its ``pypdfium2_raw`` package, with ctypes bindings for all of PDFium's API:
importing them declares some 800 functions and structures, 0.07 G instructions
(its high-level package 0.04 G more), as much as reading six printouts.  This
module declares the 20 functions the printouts need on the same library file
and starts PDFium as pypdfium2 does (version 2 of the configuration, nothing
set).  Handles are plain addresses (``c_void_p``: an int, ``None`` for null).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from ctypes import POINTER, c_double, c_float, c_int, c_size_t, c_uint, c_ulong, c_ushort, c_void_p
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


_DOUBLE_P = POINTER(c_double)
# name: (result type, argument types), as fpdfview.h, fpdf_text.h and fpdf_edit.h declare them.
_PROTOTYPES: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "FPDF_InitLibraryWithConfig": (None, (POINTER(_LibraryConfig),)),
    "FPDF_LoadMemDocument64": (c_void_p, (c_void_p, c_size_t, c_void_p)),
    "FPDF_GetLastError": (c_ulong, ()),
    "FPDF_GetPageCount": (c_int, (c_void_p,)),
    "FPDF_GetSecurityHandlerRevision": (c_int, (c_void_p,)),
    "FPDF_CloseDocument": (None, (c_void_p,)),
    "FPDF_LoadPage": (c_void_p, (c_void_p, c_int)),
    "FPDF_ClosePage": (None, (c_void_p,)),
    "FPDFPage_CountObjects": (c_int, (c_void_p,)),
    "FPDFPage_GetObject": (c_void_p, (c_void_p, c_int)),
    "FPDFPageObj_GetType": (c_int, (c_void_p,)),
    "FPDFPageObj_GetMatrix": (c_int, (c_void_p, POINTER(FS_MATRIX))),
    "FPDFTextObj_GetText": (c_ulong, (c_void_p, c_void_p, c_void_p, c_ulong)),
    "FPDFText_LoadPage": (c_void_p, (c_void_p,)),
    "FPDFText_ClosePage": (None, (c_void_p,)),
    "FPDFText_CountChars": (c_int, (c_void_p,)),
    "FPDFText_GetTextIndexFromCharIndex": (c_int, (c_void_p, c_int)),
    "FPDFText_GetText": (c_int, (c_void_p, c_int, c_int, POINTER(c_ushort))),
    "FPDFText_GetCharOrigin": (c_int, (c_void_p, c_int, _DOUBLE_P, _DOUBLE_P)),
    "FPDFText_GetTextObject": (c_void_p, (c_void_p, c_int)),
    "FPDFText_GetLooseCharBox": (c_int, (c_void_p, c_int, POINTER(FS_RECTF))),
}

_library: ctypes.CDLL | None = None


def library() -> ctypes.CDLL:
    """PDFium, started, with the functions above declared (ImportError without pypdfium2)."""
    global _library
    if _library is None:
        lib = ctypes.CDLL(_library_path())
        for name, (result, arguments) in _PROTOTYPES.items():
            function = getattr(lib, name)
            function.restype, function.argtypes = result, arguments
        # Starting twice is harmless (PDFium returns), so pypdfium2 may run beside.
        lib.FPDF_InitLibraryWithConfig(_LibraryConfig(version=2))
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


def text_range(tp: int, count: int) -> str:
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
