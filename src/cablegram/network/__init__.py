"""cablegram.network: the sending side of the cable network (NETWORK.md).

    from cablegram.network import drafts, open_network
    net = open_network(archive)              # the workflow over cablegram.archive.Archive
    draft = net.create("poloff", drafts.from_json(open("cable.json").read(), "cable.json"))
    net.submit("poloff", draft.id)
    net.clear("polchief", draft.id, comment="POL clears")
    record = net.release("ambassador", draft.id)      # ALMATY 001703, DE RUEHTA #1703 ...

* :mod:`~cablegram.network.directory` — stations, collectives, offices, people;
  :func:`default_directory` — the one that ships, from the packaged vocabularies.
* :mod:`~cablegram.network.drafts` — drafts from JSON, text, templates; reply,
  repeat, correct.
* :mod:`~cablegram.network.rules` — validation of a draft (format rules + N01-N08).
* :mod:`~cablegram.network.clearance` — required clearances.
* :mod:`~cablegram.network.release` — what release assigns, as pure functions.
* :mod:`~cablegram.network.workflow` — :class:`Network`, the enforced workflow.
* :mod:`~cablegram.network.store` — :class:`NetworkStore`, what it needs of storage.
* :mod:`~cablegram.network.archived` — :func:`open_network`: the workflow over an
  :class:`~cablegram.archive.Archive` (its state in the archive's database).
"""

from cablegram.network import clearance, drafts, release, rules
from cablegram.network.archived import ArchiveNetworkStore, open_network
from cablegram.network.defaults import default_directory
from cablegram.network.directory import Directory, DirectoryError
from cablegram.network.directory_csv import read_directory_csv, write_directory_csv
from cablegram.network.rules import check_draft
from cablegram.network.store import NetworkStore, StaleVersion
from cablegram.network.workflow import Network, Refused, Released

__all__ = [
    "ArchiveNetworkStore",
    "Directory",
    "DirectoryError",
    "Network",
    "NetworkStore",
    "Refused",
    "Released",
    "StaleVersion",
    "check_draft",
    "clearance",
    "default_directory",
    "drafts",
    "open_network",
    "read_directory_csv",
    "release",
    "rules",
    "write_directory_csv",
]
