"""Digital currency addresses the OFAC SDN list names in its remarks ("Digital Currency Address
- ETH 0x..."), for refusing a partner's chain address. Matched exactly, never fuzzily: an
address is an identifier, not a name. EVM addresses compare case-insensitively (the checksum is
only letter case); others as written.

The SDN legacy CSV cuts long remarks and continues them in sdn_comments.csv under the same
entity number, so the two are joined before parsing."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from compliance.sanctions.sources import decode, list_files, read_bytes

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "sanctions"
_ADDRESS = re.compile(r"Digital Currency Address - ([A-Z0-9]+)\s+([A-Za-z0-9:]+)")


def normalize(address: str) -> str:
    a = address.strip()
    return a.lower() if a.lower().startswith("0x") else a


def addresses_in(remarks: str) -> dict[str, str]:
    """Normalized address -> its currency code (ETH, USDT, XBT, ...)."""
    return {normalize(m.group(2)): m.group(1) for m in _ADDRESS.finditer(remarks)}


def _remarks(path: Path) -> dict[str, str]:
    rows = csv.reader(io.StringIO(decode(path, read_bytes(path))))
    return {r[0].strip(): r[-1] for r in rows if len(r) >= 2 and r[0].strip().isdigit()}


def load_addresses(directory: Path | str = SHIPPED) -> dict[str, str]:
    """Every digital currency address in the SDN files of a directory (the shipped snapshot
    by default)."""
    files = {p.name.lower().removesuffix(".gz"): p for p in list_files(directory)}
    main = _remarks(files["sdn.csv"]) if "sdn.csv" in files else {}
    more = _remarks(files["sdn_comments.csv"]) if "sdn_comments.csv" in files else {}
    found: dict[str, str] = {}
    for ent in main.keys() | more.keys():
        found.update(addresses_in(main.get(ent, "").removesuffix("-0-") + more.get(ent, "")))
    return found


def listed(address: str, addresses: dict[str, str]) -> bool:
    return normalize(address) in addresses
