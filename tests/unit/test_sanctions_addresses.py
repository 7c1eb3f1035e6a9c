"""Digital currency addresses from the SDN remarks: exact matches, EVM addresses in any case,
and an address that starts in sdn.csv and continues in sdn_comments.csv is still found."""

from compliance.sanctions.addresses import addresses_in, listed, load_addresses
from gateway.commands.partners import chain_address_checked


def test_the_shipped_snapshot_names_evm_addresses_exactly() -> None:
    found = load_addresses()
    # Written in the remarks as 0x7Db418b5...; any case matches, a neighbour does not.
    assert listed("0x7db418b5d567a4e0e8c59ad71be1fce48f3e6107", found)
    assert listed("0x7DB418B5D567A4E0E8C59AD71BE1FCE48F3E6107", found)
    assert not listed("0x7db418b5d567a4e0e8c59ad71be1fce48f3e6108", found)
    # This one sits in sdn_comments.csv, the continuation of a cut sdn.csv remark.
    assert found["0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c"] == "ETH"


def test_remarks_parse_each_currency() -> None:
    text = (
        "Digital Currency Address - XBT 1AjZPMsnmpdK2Rv9KQNfMurTXinscVro9V; "
        "alt. Digital Currency Address - ETH 0xAbC0000000000000000000000000000000000001"
    )
    assert addresses_in(text) == {
        "1AjZPMsnmpdK2Rv9KQNfMurTXinscVro9V": "XBT",
        "0xabc0000000000000000000000000000000000001": "ETH",
    }


def test_a_partner_address_is_checked() -> None:
    assert chain_address_checked("0x7Db418b5D567A4e0E8c59Ad71BE1FcE48f3E6107")[0] is None
    assert "not an Ethereum address" in chain_address_checked("0x123")[1]
    assert "checksum" in chain_address_checked("0x000000000000000000000000000000000000dEAD")[1]
    address, refusal = chain_address_checked("0x000000000000000000000000000000000000dead")
    assert refusal is None and address == "0x000000000000000000000000000000000000dEaD"
