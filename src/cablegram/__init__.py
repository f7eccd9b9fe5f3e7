"""cablegram: read, write, check, archive and serve diplomatic cables.

The public Python API::

    import cablegram
    for cable in cablegram.read("cables.csv"):      # any serialization, streamed
        print(cable.id, cable.subject)
    cable = cablegram.parse(text)                     # one cable's text -> Cable
    text = cablegram.render(cable)                    # Cable -> telegram text
    findings = cablegram.validate(cable)              # release rules (FORMAT.md §4)

See ARCHITECTURE.md (in docs/) for the layers.
"""

from cablegram.format import Finding, parse, read, render, validate
from cablegram.model import Cable, NotACableError, from_dict, to_dict

__version__ = "0.1.0"

__all__ = [
    "Cable",
    "Finding",
    "NotACableError",
    "from_dict",
    "parse",
    "read",
    "render",
    "to_dict",
    "validate",
]
