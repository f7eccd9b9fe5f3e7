"""cablegram.network: the sending side of the cable network (NETWORK.md).

    from cablegram.network import Network, default_directory, drafts
    net = Network(store, principal_of=archive.users.principal)
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
"""

from cablegram.network import clearance, drafts, release, rules
from cablegram.network.defaults import default_directory
from cablegram.network.directory import Directory, DirectoryError
from cablegram.network.directory_csv import read_directory_csv, write_directory_csv
from cablegram.network.rules import check_draft
from cablegram.network.store import NetworkStore, StaleVersion
from cablegram.network.workflow import Network, Refused

__all__ = [
    "Directory",
    "DirectoryError",
    "Network",
    "NetworkStore",
    "Refused",
    "StaleVersion",
    "check_draft",
    "clearance",
    "default_directory",
    "drafts",
    "read_directory_csv",
    "release",
    "rules",
    "write_directory_csv",
]
