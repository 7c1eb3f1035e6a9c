"""ISO 20022 messages: what a pacs.008 carries per corridor method, how pacs.002/pacs.004 map to
our statuses and reasons, that anything not schema-valid is refused (the bank adapter against
the simulator: tests/integration/test_iso20022_bank.py)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from corridors import iso20022 as iso
from corridors.config import load_corridors
from corridors.payout import NOT_FOUND, PayoutInstruction
from corridors.recipients import requirements
from corridors.simulator import FAIL_REASONS

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
PID = "rem_" + "3f" * 16
SECRET = b"iso-bank-secret"
UETR = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$")
TRAVEL = {
    "reference": PID,
    "rule": "EU TFR",
    "originator": {
        "name": "Ana Reyes Cruz",
        "account": "wallet:cus_" + "ab" * 16 + ":GBP",
        "customer_number": "cus_" + "ab" * 16,
        "birth_date": "1990-04-01",
        "birth_place": "Manila",
        "address": "1 Main Street, London",
        "id_number": "P1234567",
    },
    "beneficiary": {"name": "Marie Dupont", "account": "DE89370400440532013000"},
}


def instruction(recipient: dict, *, travel=None, corridor="GB-EU-SEPA", **kw) -> PayoutInstruction:
    values = {"amount": "118.49", "currency": "EUR", **kw}
    return PayoutInstruction(
        PID, PID, recipient=recipient, corridor_id=corridor, travel_rule=travel, **values
    )


def xml(body: bytes) -> etree._Element:
    return etree.fromstring(body)


def text(root: etree._Element, path: str, message: str = iso.PACS008) -> list[str]:
    return root.xpath(path, namespaces={"d": iso.ns(message)})


def examples(corridor) -> dict:
    fields = requirements(corridor)
    return {f["key"]: f["example"] for f in fields if "example" in f}


def test_shipped_schemas_are_the_ones_sources_names() -> None:
    sources = (ROOT / "corridors/data/iso20022/SOURCES.md").read_text()
    for message in iso.MESSAGES:
        path = ROOT / f"corridors/data/iso20022/{message}.xsd"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"| {message}.xsd |" in sources and digest in sources, message


@pytest.mark.parametrize("corridor_id", list(load_corridors()))
def test_pacs008_carries_the_recipient_account_of_each_corridor(corridor_id) -> None:
    corridor = load_corridors()[corridor_id]
    recipient = {**examples(corridor), "name": "Marie Dupont"}
    body = iso.pacs008(
        instruction(recipient, corridor=corridor_id, currency=corridor.receive_currency),
        msg_id="M1",
        created=NOW,
        charge_bearer="DEBT",
    )
    root = xml(body)  # built and validated (pacs008 raises MessageInvalid otherwise)
    tx = "/d:Document/d:FIToFICstmrCdtTrf/d:CdtTrfTxInf"
    account = text(root, f"{tx}/d:CdtrAcct/d:Id//text()")
    wanted = next(
        recipient[k]
        for k in ("iban", "clabe", "vpa", "account_number", "phone")
        if recipient.get(k)
    )
    assert wanted in account
    assert text(root, f"{tx}/d:Cdtr/d:Nm/text()") == ["Marie Dupont"]
    assert text(root, f"{tx}/d:IntrBkSttlmAmt/@Ccy") == [corridor.receive_currency]


def test_pacs008_uetr_charge_bearer_remittance_info_and_travel_rule() -> None:
    recipient = {"name": "Marie Dupont", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"}
    first = iso.pacs008(
        instruction(recipient, travel=TRAVEL), msg_id="M1", created=NOW, charge_bearer="SLEV"
    )
    again = iso.pacs008(
        instruction(recipient, travel=TRAVEL), msg_id="M2", created=NOW, charge_bearer="SLEV"
    )
    tx = "/d:Document/d:FIToFICstmrCdtTrf/d:CdtTrfTxInf"
    root = xml(first)
    [uetr] = text(root, f"{tx}/d:PmtId/d:UETR/text()")
    assert UETR.match(uetr) and uetr == iso.uetr(PID)
    assert text(root, f"{tx}/d:PmtId/d:EndToEndId/text()") == ["3f" * 16]
    assert text(root, f"{tx}/d:ChrgBr/text()") == ["SLEV"]
    assert text(root, f"{tx}/d:CdtrAgt/d:FinInstnId/d:BICFI/text()") == ["COBADEFFXXX"]
    assert text(root, f"{tx}/d:RmtInf/d:Ustrd/text()")[0].startswith("Remittance " + "3f" * 16)
    # travel rule: the originator's name, address, birth, national id and account travel along
    assert text(root, f"{tx}/d:Dbtr/d:Nm/text()") == ["Ana Reyes Cruz"]
    assert "1 Main Street, London" in "".join(text(root, f"{tx}/d:Dbtr/d:PstlAdr/d:AdrLine/text()"))
    person = f"{tx}/d:Dbtr/d:Id/d:PrvtId"
    assert text(root, f"{person}/d:DtAndPlcOfBirth/d:BirthDt/text()") == ["1990-04-01"]
    assert text(root, f"{person}/d:DtAndPlcOfBirth/d:CityOfBirth/text()") == ["Manila"]
    assert text(root, f"{person}/d:Othr[d:SchmeNm/d:Cd='NIDN']/d:Id/text()") == ["P1234567"]
    assert text(root, f"{tx}/d:DbtrAcct/d:Id/d:Othr/d:Id/text()")
    # a resend has a new MsgId but the same transaction: the bank's dedup fingerprint holds
    assert iso.credit_transfer(first).fingerprint == iso.credit_transfer(again).fingerprint
    assert iso.credit_transfer(first).msg_id != iso.credit_transfer(again).msg_id
    # without travel-rule data, we are the debtor of record
    plain = xml(iso.pacs008(instruction(recipient), msg_id="M3", created=NOW, charge_bearer="SLEV"))
    assert text(plain, f"{tx}/d:Dbtr/d:Nm/text()") == [iso.OUR_NAME]


def report(status: str, code: str | None = None, info: str | None = None) -> bytes:
    return iso.pacs002(
        msg_id="B1",
        created=NOW,
        original_msg_id="M1",
        original_message=iso.PACS008,
        end_to_end="3f" * 16,
        status=status,
        reason_code=code,
        info=info,
    )


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        ("ACSC", None, ("paid", None)),
        ("ACCC", None, ("paid", None)),
        ("ACSP", None, ("accepted", None)),
        ("PDNG", None, ("accepted", None)),
        ("RJCT", "AC04", ("failed", "ACCOUNT_CLOSED")),
        ("RJCT", "AC01", ("failed", "INVALID_ACCOUNT")),
        ("RJCT", "AM02", ("failed", "RECIPIENT_LIMIT_EXCEEDED")),
        ("RJCT", "XY99", ("failed", "ISO_XY99")),
        ("RJCT", "DUPL", ("unknown", "idempotency_conflict")),  # it has it: not a failure
        ("RJCT", iso.NOT_FOUND_REASON, ("unknown", NOT_FOUND)),
    ],
)
def test_status_report_maps_to_our_status_and_reason(status, code, expected) -> None:
    payout_id, result = iso.status_of(report(status, code))
    assert payout_id == PID and (result.status, result.reason) == expected


def test_bank_reference_and_returns() -> None:
    assert iso.status_of(report("ACSC", info="BANK-9"))[1].partner_reference == "BANK-9"
    returned = iso.pacs004(
        msg_id="R1",
        created=NOW,
        end_to_end="3f" * 16,
        amount="1",
        currency="EUR",
        reason_code="AC04",
    )
    payout_id, result = iso.status_of(returned)
    assert payout_id == PID and (result.status, result.reason) == (
        "failed",
        "RETURNED_ACCOUNT_CLOSED",
    )
    # every failure reason the simulator draws maps to an ISO code and back to itself
    for reason in FAIL_REASONS:
        assert iso.REASONS[iso.ISO_CODE[reason]] == reason


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda b: b"not xml at all",
        lambda b: b[: len(b) // 2],  # cut short
        lambda b: b.replace(b"ACSC", b"ACSCX"),  # TxSts longer than the schema allows
        lambda b: b.replace(b"<OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId>", b""),  # required
        lambda b: b.replace(b"pacs.002.001.12", b"pacs.002.001.99"),  # another message
        lambda b: b.replace(b"<MsgId>B1</MsgId>", b"<MsgId>B1</MsgId><Evil>x</Evil>"),
        lambda b: (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + b.split(b"?>", 1)[1].replace(b"<MsgId>B1", b"<MsgId>&x;")
        ),
    ],
)
def test_corrupted_status_reports_are_refused(corrupt) -> None:
    with pytest.raises(iso.MessageInvalid):
        iso.status_of(corrupt(report("ACSC")))


def test_statement_entries_from_camt053() -> None:
    body = iso.camt053(
        msg_id="S1",
        created=NOW,
        account="ACC",
        currency="EUR",
        entries=[(PID, "118.49", "BANK-1"), ("rem_" + "0" * 32, "5.00", "BANK-2")],
    )
    entries = iso.statement_entries(body)
    assert [(e.payout_id, str(e.amount), e.reference, e.status) for e in entries] == [
        (PID, "118.49", "BANK-1", "paid"),
        ("rem_" + "0" * 32, "5.00", "BANK-2", "paid"),
    ]
    with pytest.raises(iso.MessageInvalid):
        iso.statement_entries(body.replace(b"<Cd>BOOK</Cd>", b"<Cd>BOOKED</Cd>"))


SEPA = {"name": "Marie Dupont", "iban": "DE89370400440532013000"}


def test_statement_entries_from_camt054() -> None:
    """A debit notification lists the same way; a pending entry is not money moved."""
    n = iso.ns(iso.CAMT054)
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{n}"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>N1</MsgId><CreDtTm>2026-12-03T08:00:00+00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>N1</Id><Acct><Id><Othr><Id>ACC</Id></Othr></Id></Acct>
<Ntry><Amt Ccy="EUR">118.49</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<AcctSvcrRef>BANK-1</AcctSvcrRef><BkTxCd/>
<NtryDtls><TxDtls><Refs><EndToEndId>{"3f" * 16}</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts><BkTxCd/>
<NtryDtls><TxDtls><Refs><EndToEndId>{"0" * 32}</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>""".encode()
    entries = iso.statement_entries(body)
    assert [(e.payout_id, str(e.amount), e.reference) for e in entries] == [
        (PID, "118.49", "BANK-1")
    ]
