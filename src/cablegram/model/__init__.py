"""The cable model: one typed value that every layer passes around.

A :class:`Cable` is a frozen dataclass tree whose JSON form (``to_dict`` /
``from_dict``) is ``cable.schema.json``.  Nothing here knows how a cable is
read, rendered, stored or served; this package imports nothing of the project.
"""

from cablegram.model.cable import (
    EO,
    Addressee,
    Cable,
    ClassifiedBy,
    Defect,
    Header,
    Paragraph,
    Reference,
    Relay,
    Section,
    Source,
    Station,
)
from cablegram.model.enums import Classification, Precedence
from cablegram.model.errors import CablegramError, NotACableError
from cablegram.model.json import from_dict, to_dict, to_json_line

__all__ = [
    "EO",
    "Addressee",
    "Cable",
    "CablegramError",
    "Classification",
    "ClassifiedBy",
    "Defect",
    "Header",
    "NotACableError",
    "Paragraph",
    "Precedence",
    "Reference",
    "Relay",
    "Section",
    "Source",
    "Station",
    "from_dict",
    "to_dict",
    "to_json_line",
]
