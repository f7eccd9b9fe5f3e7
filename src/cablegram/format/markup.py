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
