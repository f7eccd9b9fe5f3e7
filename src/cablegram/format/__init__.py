"""The cable format: read any serialization, parse, render, validate.

- ``sources``: detect and unwrap each serialization into telegram text plus
  source facts (``Document``).
- ``parse``: telegram text -> ``Cable``, lenient, irregularities as defects.
- ``refs``: reading REF blocks and canonical reference ids.
- ``render``: ``Cable`` -> authentic telegram text.
- ``validate``: the strict release rules, each finding with a stable code.
"""

from cablegram.format.parse import parse
from cablegram.format.reader import read
from cablegram.format.render import render
from cablegram.format.validate import Finding, validate

__all__ = ["Finding", "parse", "read", "render", "validate"]
