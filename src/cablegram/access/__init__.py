"""cablegram.access: who may read what, paragraph-level release, declassification.

Pure and storage-independent: the archive's backends compile :func:`read_rule`
into their queries; everything else works on :class:`cablegram.model.Cable` values.
See docs/access.md.
"""

from cablegram.access.declass import (
    Action,
    Decision,
    DeclassState,
    DeclassStatus,
    automatic_date,
    declass_status,
    public_view,
)
from cablegram.access.eo_line import Instruction, read_instruction
from cablegram.access.facts import AccessFacts, access_facts
from cablegram.access.marks import PortionMark, parse_mark, subject_mark
from cablegram.access.policy import (
    AccessRows,
    ReadRule,
    access_rows,
    may_read,
    may_read_facts,
    read_rule,
)
from cablegram.access.principal import (
    OWNER,
    PUBLIC,
    PUBLISHED,
    Principal,
    local_owner,
    public_reader,
    published_reader,
    reader_notice,
)
from cablegram.access.redact import portion_mark, redact, withheld_paragraphs

__all__ = [
    "OWNER",
    "PUBLIC",
    "PUBLISHED",
    "AccessFacts",
    "AccessRows",
    "Action",
    "Decision",
    "DeclassState",
    "DeclassStatus",
    "Instruction",
    "PortionMark",
    "Principal",
    "ReadRule",
    "access_facts",
    "access_rows",
    "automatic_date",
    "declass_status",
    "local_owner",
    "may_read",
    "may_read_facts",
    "parse_mark",
    "portion_mark",
    "public_reader",
    "public_view",
    "published_reader",
    "read_instruction",
    "read_rule",
    "reader_notice",
    "redact",
    "subject_mark",
    "withheld_paragraphs",
]
