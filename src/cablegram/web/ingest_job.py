"""``POST /api/ingest`` runs in a process of its own, never in the server's.

Parsing is CPU work that holds the interpreter: in the serving process one
upload would stall every other request of that worker for as long as it
takes.  The uploads are written to a temporary directory and a child process
ingests them (each document under the parse time limit of
``cablegram.format.bounded``, a whole job under ``JOB_SECONDS``); the request
thread only waits for its report.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

from cablegram.format.bounded import parse_seconds

JOB_SECONDS = 900.0  # a whole upload (32 MB of cables parse in well under a minute)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Upload:
    name: str | None
    data: bytes


class IngestJobError(RuntimeError):
    """The ingest process failed or ran out of time; nothing after its last batch is kept."""


def run_ingest(
    archive: str, uploads: list[Upload], *, seconds: float = JOB_SECONDS
) -> dict[str, Any]:
    """The ingest report (``IngestReport.to_dict()``) of ``uploads`` into ``archive``,
    ingested by a child process."""
    with tempfile.TemporaryDirectory(prefix="cablegram-upload-") as tmp:
        paths = []
        for k, upload in enumerate(uploads, 1):
            # Each file under its own name (a cable id in a name is a weak fallback
            # for the id), in a directory of its own so that equal names do not clash.
            name = _SAFE_NAME.sub("_", os.path.basename(upload.name or "")).strip("._")
            folder = os.path.join(tmp, str(k))
            os.mkdir(folder)
            path = os.path.join(folder, name or "upload")
            with open(path, "wb") as f:
                f.write(upload.data)
            paths.append(path)
        command = [sys.executable, "-c", _COMMAND, archive, str(parse_seconds()), *paths]
        try:
            done = subprocess.run(command, capture_output=True, timeout=seconds, check=False)
        except subprocess.TimeoutExpired:
            raise IngestJobError(
                f"the ingest ran longer than {seconds:g} s and was stopped"
            ) from None
        if done.returncode != 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise IngestJobError(f"the ingest failed: {' '.join(tail) or done.returncode}")
        report: dict[str, Any] = json.loads(done.stdout)
        prefix = tmp + os.sep
        for failure in report.get("failures", []):  # name the upload, not the temporary file
            where = failure["where"]
            if where.startswith(prefix):
                failure["where"] = where[len(prefix) :].split(os.sep, 1)[-1]
        return report


def main() -> None:
    """The child: ``ARCHIVE PARSE_SECONDS FILE...`` -> the report as JSON on stdout."""
    from cablegram.access.principal import OWNER
    from cablegram.archive import Archive

    archive_location, seconds, *paths = sys.argv[1:]
    with Archive(archive_location, principal=OWNER, interface="api") as archive:
        report = archive.ingest(paths, workers=1, parse_seconds=float(seconds))
    sys.stdout.write(json.dumps(report.to_dict()))


_COMMAND = f"from {__name__} import main; main()"
