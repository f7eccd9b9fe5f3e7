"""Remove web markup left inside cable text (FORMAT.md §8 steps 1-3).

Scraped cables carry three kinds of residue around otherwise plain telegram
text: HTML (``<code><pre>``, ``<a href='/tag/PREL_0.html'>PREL</a>``, the
WikiLeaks paragraph anchors ``<a id='par1' href='#par1'>¶</a>``, entities such
as ``&#x000A;``), and markdown link residue from pages converted to text
(``[PTER](#)``, ``[1](#)1.``).  :func:`unmark` turns all of them into plain
text, keeping an anchor as a ``¶`` mark, and is idempotent on clean text.

Anchors before letters (``¶B. BERLIN 1186`` in REF blocks) and before years
(``¶2007.``) are WikiLeaks renderer artefacts; they are left as ``¶`` here and
resolved by the parser, which knows where REF blocks and paragraphs are.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

# [text](#anchor) -> text, but a link whose text is a lone digit or ¶ is a lost
# paragraph anchor: [1](#)1. -> ¶1.
_MD_ANCHOR = re.compile(r"\[(?:¶|\d)\]\(#[^)\s]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\(#[^)\s]*\)")
_HTML_ANCHOR = re.compile(r"<a\b[^>]*\bid=['\"]?par[^'\">]*['\"]?[^>]*>\s*¶?\s*</a>", re.I)
_HTML_BR = re.compile(r"<br\s*/?>", re.I)
# Only real HTML tag names: cable text may contain angle brackets of its own.
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|body|br|code|div|em|font|h[1-6]|head|html|i|li|ol|p|pre|span|strong|sub|sup"
    r"|table|tbody|td|th|thead|tr|tt|u|ul)\b[^<>]*>",
    re.I,
)
_ENTITY = re.compile(r"&(?:#x?[0-9A-Fa-f]+|[A-Za-z]+);")


def has_markup(text: str) -> bool:
    return "<" in text or "](#" in text or "&" in text


def unmark(text: str) -> str:
    """Plain text of ``text`` with HTML and markdown residue removed."""
    if "](#" in text:
        text = _MD_ANCHOR.sub("¶", text)
        text = _MD_LINK.sub(r"\1", text)
    if "<" in text:
        text = _HTML_ANCHOR.sub("¶", text)
        text = _HTML_BR.sub("\n", text)
        text = _HTML_TAG.sub("", text)
    if "&" in text and _ENTITY.search(text):
        # WikiLeaks pages write every line end as an entity: replacing that one
        # first spares html.unescape a call per line (same result).
        text = html.unescape(text.replace("&#x000A;", "\n"))
    return text


# Markers for unmark_with_lines: a line break that was markup (<br>, &#x000A;),
# and a file line end that markup removal took away (a tag spanning lines).
# Control characters that are neither blanks nor word characters, and within
# Latin-1 so that they do not widen the string.
_VIRTUAL_BREAK = "\x0e"
_LOST_BREAK = "\x0f"
_MARKERS = re.compile("[\n\x0e\x0f]")
# Every form html.unescape turns into a line end: with or without the semicolon
# (not before another digit of the number), and the named &NewLine;.
_NEWLINE_ENTITY = re.compile(r"&#(?:[xX]0*[aA](?![0-9a-fA-F])|0*10(?!\d));?|&NewLine;")


def _keep_breaks(replacement: str) -> Callable[[re.Match[str]], str]:
    return lambda m: replacement + _LOST_BREAK * m.group().count("\n")


def unmark_with_lines(text: str) -> tuple[str, list[int] | None]:
    """``unmark(text)`` and, for each of its lines, the 0-based line of ``text``
    it starts on (None when the lines are ``text``'s own, one for one).

    Line breaks written as markup (``<br>``, ``&#x000A;``) start a new line on
    the same line of ``text``.
    """
    if _VIRTUAL_BREAK in text or _LOST_BREAK in text:  # cannot mark: map line by line
        out = unmark(text)
        return out, None
    if "](#" in text:
        text = _MD_ANCHOR.sub("¶", text)
        text = _MD_LINK.sub(r"\1", text)
    if "<" in text:
        before = text.count("\n")
        marked = _HTML_TAG.sub("", _HTML_BR.sub(_VIRTUAL_BREAK, _HTML_ANCHOR.sub("¶", text)))
        if marked.count("\n") == before:
            text = marked
        else:  # some markup spanned line ends: keep them counted
            text = _HTML_ANCHOR.sub(_keep_breaks("¶"), text)
            text = _HTML_BR.sub(_keep_breaks(_VIRTUAL_BREAK), text)
            text = _HTML_TAG.sub(_keep_breaks(""), text)
    if "&" in text and _ENTITY.search(text):
        text = text.replace("&#x000A;", _VIRTUAL_BREAK)  # the common form, cheaply
        if "&#" in text or "&NewLine;" in text:
            text = _NEWLINE_ENTITY.sub(_VIRTUAL_BREAK, text)
        text = html.unescape(text) if "&" in text else text
    if _VIRTUAL_BREAK not in text and _LOST_BREAK not in text:
        return text, None
    if _LOST_BREAK not in text:  # each line of text: as many lines as breaks in it, plus one
        lines = [
            k
            for k, part in enumerate(text.split("\n"))
            for _ in range(part.count(_VIRTUAL_BREAK) + 1)
        ]
        return text.replace(_VIRTUAL_BREAK, "\n"), lines
    lines = [0]
    line = 0
    for m in _MARKERS.finditer(text):
        if m.group() == "\n":
            line += 1
            lines.append(line)
        elif m.group() == _VIRTUAL_BREAK:
            lines.append(line)
        else:
            line += 1
    return text.replace(_VIRTUAL_BREAK, "\n").replace(_LOST_BREAK, ""), lines
