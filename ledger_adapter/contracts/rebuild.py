"""Compile the contracts with the pinned vyper and write build/NAME.json (abi, bytecode,
compiler version). Run after changing a .vy file: `python -m ledger_adapter.contracts.rebuild`."""

from __future__ import annotations

import json
import sys

from ledger_adapter.contracts import BUILD, CONTRACTS, HERE


def compile_all() -> dict[str, str]:
    """Each contract's build JSON, as the text written to disk."""
    import vyper  # the compiler is a build/test dependency only

    out: dict[str, str] = {}
    for name in CONTRACTS:
        source = (HERE / f"{name}.vy").read_text()
        compiled = vyper.compile_code(source, output_formats=["abi", "bytecode"])
        data = {
            "contract": name,
            "compiler": f"vyper {vyper.__version__}",
            "abi": compiled["abi"],
            "bytecode": compiled["bytecode"],
        }
        out[name] = json.dumps(data, indent=1, sort_keys=True) + "\n"
    return out


def main() -> int:
    BUILD.mkdir(exist_ok=True)
    for name, text in compile_all().items():
        (BUILD / f"{name}.json").write_text(text)
        print(f"wrote {BUILD / name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
