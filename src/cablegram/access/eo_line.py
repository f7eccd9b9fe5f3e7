"""Reading the declassification instruction of an E.O. line (FORMAT §3.6, §5).

``read_instruction`` turns the written value (``DECL: 01/07/2014``, ``OADR``,
``X1, X5``, ``GDS 8/12/85 (TOMSETH) OR-P``, ``XGDS-2``, ``DNG: CO 10/01/2010``,
``AS AMENDED; DECLASSIFIED JUNE 21, 2006`` ...) into dates and codes.  What the
instruction *means* on a given day is :func:`cablegram.access.declass.declass_status`.

The line itself is read in one place for every layer, :mod:`cablegram.lexicon.eo`;
this module applies that reader to a cable.
"""

from __future__ import annotations

from cablegram.lexicon import eo as eo_reader
from cablegram.lexicon.eo import Exemption, Instruction, exemptions, parse_date
from cablegram.model import Cable

__all__ = ["Exemption", "Instruction", "exemptions", "parse_date", "read_instruction"]


def read_instruction(cable: Cable) -> Instruction:
    """The declassification instruction of ``cable``'s E.O. line."""
    return eo_reader.read_instruction(
        cable.eo, year=cable.year, classification=cable.classification
    )
