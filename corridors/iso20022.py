"""ISO 20022 messages for bank partners: built with lxml, checked against the shipped XSDs.

pacs.008.001.08 instructs a payout, pacs.002.001.12 reports its status, pacs.004.001.11 returns
it, pacs.028.001.05 asks for its status, camt.053/camt.054 list what was booked. Every document
we build is validated before it leaves, and every one we read is validated before a field of it
is used: an invalid message raises MessageInvalid and nothing is done with it. The schemas and
their source are in corridors/data/iso20022 (SOURCES.md). No I/O here besides reading them.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

import xmlschema
from lxml import etree

from corridors.payout import NOT_FOUND, PayoutInstruction, PayoutResult

PACS008 = "pacs.008.001.08"
PACS002 = "pacs.002.001.12"
PACS004 = "pacs.004.001.11"
PACS028 = "pacs.028.001.05"
CAMT053 = "camt.053.001.08"
CAMT054 = "camt.054.001.08"
MESSAGES = (PACS008, PACS002, PACS004, PACS028, CAMT053, CAMT054)
_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
ID_PREFIX = "rem_"
"""Our payout ids are "rem_" + 32 hex (36 characters); ISO ids are Max35Text, so the prefix is
dropped on the wire and restored on the way back."""
OUR_NAME = "Remit Gateway"

# pacs.002 TxSts -> our status. DUPL is handled apart: a "duplicate" rejection means the bank
# already holds that payment, which is news about its fate, not a failure.
_STATUS = {
    "ACTC": "accepted",
    "ACCP": "accepted",
    "ACSP": "accepted",
    "ACWC": "accepted",
    "PDNG": "accepted",
    "RCVD": "accepted",
    "ACSC": "paid",
    "ACCC": "paid",
    "RJCT": "failed",
    "CANC": "cancelled",
}
OUR_STATUS_CODE = {"accepted": "ACSP", "paid": "ACSC", "failed": "RJCT", "cancelled": "CANC"}
# ISO external status / return reason codes -> our failure reasons (and back, for the simulator).
REASONS = {
    "AC01": "INVALID_ACCOUNT",
    "AC03": "INVALID_ACCOUNT",
    "AC04": "ACCOUNT_CLOSED",
    "AC06": "ACCOUNT_BLOCKED",
    "AG01": "TRANSACTION_FORBIDDEN",
    "AM02": "RECIPIENT_LIMIT_EXCEEDED",
    "AM14": "RECIPIENT_LIMIT_EXCEEDED",
    "BE01": "RECIPIENT_MISMATCH",
    "FF01": "INVALID_MESSAGE",
    "MS03": "NOT_SPECIFIED",
    "RR04": "REGULATORY_REASON",
}
ISO_CODE = {
    "INVALID_ACCOUNT": "AC01",
    "ACCOUNT_CLOSED": "AC04",
    "ACCOUNT_BLOCKED": "AC06",
    "TRANSACTION_FORBIDDEN": "AG01",
    "RECIPIENT_LIMIT_EXCEEDED": "AM02",
    "RECIPIENT_MISMATCH": "BE01",
    "INVALID_MESSAGE": "FF01",
    "NOT_SPECIFIED": "MS03",
    "REGULATORY_REASON": "RR04",
}
DUPLICATE = "DUPL"
NOT_FOUND_REASON = "NOTFOUND"
"""Proprietary reason in a pacs.002 answering a pacs.028 for a payment the bank never got."""


class MessageInvalid(ValueError):
    """Not a well-formed, schema-valid ISO 20022 message of an expected kind."""


@functools.cache
def schema(message: str) -> xmlschema.XMLSchema:
    """The shipped XSD of `message` (loaded once per process)."""
    if message not in MESSAGES:
        raise KeyError(message)
    path = resources.files("corridors").joinpath(f"data/iso20022/{message}.xsd")
    with resources.as_file(path) as file:
        return xmlschema.XMLSchema(str(file))


def ns(message: str) -> str:
    return _PREFIX + message


def end_to_end_id(payout_id: str) -> str:
    return payout_id.removeprefix(ID_PREFIX)


def payout_id_of(end_to_end: str) -> str:
    """Inverse of end_to_end_id for our ids (32 lower-case hex); others pass unchanged."""
    if len(end_to_end) == 32 and all(c in "0123456789abcdef" for c in end_to_end):
        return ID_PREFIX + end_to_end
    return end_to_end


def uetr(payout_id: str) -> str:
    """A UUIDv4-shaped UETR derived from the payout id: the same payment, the same UETR."""
    digest = bytearray(hashlib.sha256(b"uetr:" + payout_id.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x40
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


# -- building -------------------------------------------------------------------------------


class _Doc:
    """A tiny element factory bound to one message's namespace."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.namespace = ns(message)
        self.root = etree.Element(f"{{{self.namespace}}}Document", nsmap={None: self.namespace})

    def add(
        self, parent: etree._Element, tag: str, text: str | None = None, **attrs: str
    ) -> etree._Element:
        element = etree.SubElement(parent, f"{{{self.namespace}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    def path(self, parent: etree._Element, *tags: str, text: str | None = None) -> etree._Element:
        for tag in tags[:-1]:
            parent = self.add(parent, tag)
        return self.add(parent, tags[-1], text)

    def begin(
        self, tag: str, msg_id: str, created: datetime, transactions: int | None = None
    ) -> etree._Element:
        """The message's element `tag`, its group header (`GrpHdr`, the element's first child)
        filled in: id, creation time and, where the message counts them, its transactions."""
        body = self.add(self.root, tag)
        header = self.add(body, "GrpHdr")
        self.add(header, "MsgId", msg_id)
        self.add(header, "CreDtTm", _timestamp(created))
        if transactions is not None:
            self.add(header, "NbOfTxs", str(transactions))
        return body

    def finish(self) -> bytes:
        validate(self.message, self.root)
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _clip(text: Any, length: int) -> str:
    return " ".join(str(text).split())[:length]


def _agent(doc: _Doc, parent: etree._Element, tag: str, recipient: Mapping[str, Any]) -> None:
    """The creditor's bank, as precisely as the recipient's account says it."""
    fin = doc.path(parent, tag, "FinInstnId")
    if recipient.get("bic"):
        doc.add(fin, "BICFI", str(recipient["bic"]))
    elif recipient.get("ifsc"):
        member = doc.add(fin, "ClrSysMmbId")
        doc.path(member, "ClrSysId", "Cd", text="INFSC")
        doc.add(member, "MmbId", str(recipient["ifsc"]))
    elif recipient.get("bank_code"):
        member = doc.add(fin, "ClrSysMmbId")
        doc.path(member, "ClrSysId", "Prtry", text="NIP")
        doc.add(member, "MmbId", str(recipient["bank_code"]))
    elif recipient.get("clabe"):
        member = doc.add(fin, "ClrSysMmbId")
        doc.path(member, "ClrSysId", "Prtry", text="SPEI")
        doc.add(member, "MmbId", str(recipient["clabe"])[:3])
    elif recipient.get("wallet_provider"):
        doc.add(fin, "Nm", str(recipient["wallet_provider"]))
    else:
        doc.path(fin, "Othr", "Id", text="NOTPROVIDED")


# recipient key -> (scheme name kind, scheme name) for accounts that are not IBANs
_OTHER_ACCOUNTS = (
    ("clabe", "Prtry", "CLABE"),
    ("vpa", "Prtry", "UPI"),
    ("account_number", "Cd", "BBAN"),
    ("phone", "Prtry", "MSISDN"),
)


def _creditor_account(doc: _Doc, parent: etree._Element, recipient: Mapping[str, Any]) -> None:
    """The recipient's account per corridor method: IBAN, or Othr with its scheme."""
    account = doc.add(parent, "CdtrAcct")
    if recipient.get("iban"):
        doc.path(account, "Id", "IBAN", text=str(recipient["iban"]))
        return
    for key, kind, name in _OTHER_ACCOUNTS:
        if recipient.get(key):
            other = doc.path(account, "Id", "Othr")
            doc.add(other, "Id", str(recipient[key]))
            doc.path(other, "SchmeNm", kind, text=name)
            if key == "phone":  # a wallet is addressed by its mobile number
                proxy = doc.add(account, "Prxy")
                doc.path(proxy, "Tp", "Cd", text="MBNO")
                doc.add(proxy, "Id", str(recipient[key]))
            return
    raise MessageInvalid("recipient has no account ISO 20022 can carry")


def _debtor(doc: _Doc, tx: etree._Element, travel: Mapping[str, Any] | None) -> None:
    """The sender as the travel rule describes them (FATF R16 / EU TFR originator data);
    without the rule, the remitter (us) is the debtor of record."""
    originator = (travel or {}).get("originator") or {}
    debtor = doc.add(tx, "Dbtr")
    doc.add(debtor, "Nm", _clip(originator.get("name") or OUR_NAME, 140))
    if originator.get("address"):
        address = doc.add(debtor, "PstlAdr")
        text = _clip(originator["address"], 490)
        for start in range(0, len(text), 70):
            doc.add(address, "AdrLine", text[start : start + 70])
    identifiers = [
        (originator.get("id_number"), "NIDN"),
        (originator.get("customer_number"), "CUST"),
    ]
    birth = originator.get("birth_date")
    if birth or any(value for value, _ in identifiers):
        person = doc.path(debtor, "Id", "PrvtId")
        if birth and originator.get("birth_place"):
            place = doc.add(person, "DtAndPlcOfBirth")
            doc.add(place, "BirthDt", str(birth))
            doc.add(place, "CityOfBirth", _clip(originator["birth_place"], 35))
            doc.add(place, "CtryOfBirth", "ZZ")  # the record holds the city only
        for value, code in identifiers:
            if value:
                other = doc.add(person, "Othr")
                doc.add(other, "Id", _clip(end_to_end_id(str(value)).removeprefix("cus_"), 35))
                doc.path(other, "SchmeNm", "Cd", text=code)
    if originator.get("account"):
        other = doc.path(tx, "DbtrAcct", "Id", "Othr")
        account = str(originator["account"]).replace("wallet:", "").replace("cus_", "")
        doc.add(other, "Id", _clip(account, 34))
        doc.path(other, "SchmeNm", "Prtry", text="WALLET")


def pacs008(
    instruction: PayoutInstruction, *, msg_id: str, created: datetime, charge_bearer: str
) -> bytes:
    """FI-to-FI customer credit transfer of one payout, schema-checked (MessageInvalid)."""
    recipient = instruction.recipient
    e2e = end_to_end_id(instruction.payout_id)
    doc = _Doc(PACS008)
    body = doc.begin("FIToFICstmrCdtTrf", msg_id, created, transactions=1)
    doc.path(body[0], "SttlmInf", "SttlmMtd", text="INDA")  # in the group header
    tx = doc.add(body, "CdtTrfTxInf")
    payment = doc.add(tx, "PmtId")
    doc.add(payment, "InstrId", e2e)
    doc.add(payment, "EndToEndId", e2e)
    doc.add(payment, "TxId", e2e)
    doc.add(payment, "UETR", uetr(instruction.payout_id))
    doc.add(tx, "IntrBkSttlmAmt", instruction.amount, Ccy=instruction.currency)
    doc.add(tx, "ChrgBr", charge_bearer)
    _debtor(doc, tx, instruction.travel_rule)
    doc.path(tx, "DbtrAgt", "FinInstnId", "Nm", text=OUR_NAME)
    _agent(doc, tx, "CdtrAgt", recipient)
    doc.add(doc.add(tx, "Cdtr"), "Nm", _clip(recipient.get("name") or "NOTPROVIDED", 140))
    _creditor_account(doc, tx, recipient)
    info = doc.add(tx, "RmtInf")
    doc.add(info, "Ustrd", _clip(f"Remittance {e2e} corridor {instruction.corridor_id}", 140))
    return doc.finish()


def _status_reason(doc: _Doc, parent: etree._Element, code: str | None, info: str | None) -> None:
    if code is None and info is None:
        return
    reason = doc.add(parent, "StsRsnInf")
    if code is not None:
        kind = "Cd" if len(code) == 4 and code.isupper() and code.isalnum() else "Prtry"
        doc.path(reason, "Rsn", kind, text=code)
    if info is not None:
        doc.add(reason, "AddtlInf", _clip(info, 105))


def pacs002(
    *,
    msg_id: str,
    created: datetime,
    original_msg_id: str,
    original_message: str,
    end_to_end: str | None,
    status: str,
    reason_code: str | None = None,
    info: str | None = None,
) -> bytes:
    """A status report on one transaction (or on a whole message when end_to_end is None).
    `info` carries the bank's own reference on an accepted or settled payment: the subset
    schema has no AcctSvcrRef (corridors/data/iso20022/SOURCES.md)."""
    doc = _Doc(PACS002)
    report = doc.begin("FIToFIPmtStsRpt", msg_id, created)
    group = doc.add(report, "OrgnlGrpInfAndSts")
    doc.add(group, "OrgnlMsgId", _clip(original_msg_id, 35) or "NOTPROVIDED")
    doc.add(group, "OrgnlMsgNmId", original_message)
    if end_to_end is None:
        doc.add(group, "GrpSts", status)
    else:
        tx = doc.add(report, "TxInfAndSts")
        doc.add(tx, "OrgnlEndToEndId", end_to_end)
        doc.add(tx, "OrgnlTxId", end_to_end)
        doc.add(tx, "TxSts", status)
        _status_reason(doc, tx, reason_code, info)
    return doc.finish()


def pacs004(
    *,
    msg_id: str,
    created: datetime,
    end_to_end: str,
    amount: str,
    currency: str,
    reason_code: str,
    original_msg_id: str = "NOTPROVIDED",
) -> bytes:
    """A payment return (the bank could not credit the account after accepting it)."""
    doc = _Doc(PACS004)
    ret = doc.begin("PmtRtr", msg_id, created, transactions=1)
    group = doc.add(ret, "OrgnlGrpInf")
    doc.add(group, "OrgnlMsgId", original_msg_id)
    doc.add(group, "OrgnlMsgNmId", PACS008)
    tx = doc.add(ret, "TxInf")
    doc.add(tx, "OrgnlEndToEndId", end_to_end)
    doc.add(tx, "OrgnlTxId", end_to_end)
    doc.add(tx, "RtrdIntrBkSttlmAmt", amount, Ccy=currency)
    doc.path(doc.add(tx, "RtrRsnInf"), "Rsn", "Cd", text=reason_code)
    return doc.finish()


def pacs028(*, msg_id: str, created: datetime, payout_id: str) -> bytes:
    """A status request for one payout: asked before any resend, never instead of one."""
    doc = _Doc(PACS028)
    request = doc.begin("FIToFIPmtStsReq", msg_id, created)
    tx = doc.add(request, "TxInf")
    e2e = end_to_end_id(payout_id)
    doc.add(tx, "OrgnlEndToEndId", e2e)
    doc.add(tx, "OrgnlTxId", e2e)
    return doc.finish()


# -- reading --------------------------------------------------------------------------------


def validate(message: str, root: etree._Element) -> None:
    error = next(iter(schema(message).iter_errors(root)), None)
    if error is not None:
        raise MessageInvalid(f"{message}: {error.reason or error.message} at {error.path}")


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def parse(body: bytes, expected: Collection[str]) -> tuple[str, etree._Element]:
    """(message name, root) of a schema-valid document of one of the `expected` kinds."""
    try:
        root = etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise MessageInvalid(f"not well-formed XML: {exc}") from None
    namespace = etree.QName(root).namespace or ""
    message = namespace.removeprefix(_PREFIX)
    if etree.QName(root).localname != "Document" or message not in expected:
        raise MessageInvalid(f"expected one of {', '.join(expected)}, got {namespace or 'none'}")
    validate(message, root)
    return message, root


def _find(root: etree._Element, message: str, path: str) -> str | None:
    steps = "/".join(f"{{{ns(message)}}}{step}" for step in path.split("/"))
    found = root.find(steps)
    return found.text if found is not None else None


def _reason(code: str | None) -> str:
    if code is None:
        return "NOT_SPECIFIED"
    return REASONS.get(code, f"ISO_{code}")


def status_of(body: bytes) -> tuple[str | None, PayoutResult]:
    """(payout id, result) from a pacs.002 or pacs.004; raises MessageInvalid."""
    message, root = parse(body, (PACS002, PACS004))
    if message == PACS004:
        e2e = _find(root, message, "PmtRtr/TxInf/OrgnlEndToEndId")
        code = _find(root, message, "PmtRtr/TxInf/RtrRsnInf/Rsn/Cd")
        if e2e is None:
            raise MessageInvalid("pacs.004 without OrgnlEndToEndId")
        return payout_id_of(e2e), PayoutResult("failed", reason=f"RETURNED_{_reason(code)}")
    tx = "FIToFIPmtStsRpt/TxInfAndSts/"
    e2e = _find(root, message, tx + "OrgnlEndToEndId")
    status = _find(root, message, tx + "TxSts") or _find(
        root, message, "FIToFIPmtStsRpt/OrgnlGrpInfAndSts/GrpSts"
    )
    code = _find(root, message, tx + "StsRsnInf/Rsn/Cd") or _find(
        root, message, tx + "StsRsnInf/Rsn/Prtry"
    )
    info = _find(root, message, tx + "StsRsnInf/AddtlInf")
    if status == "RJCT" and code == DUPLICATE:
        return _maybe(e2e), PayoutResult("unknown", reason="idempotency_conflict")
    if status == "RJCT" and code == NOT_FOUND_REASON:
        return _maybe(e2e), PayoutResult("unknown", reason=NOT_FOUND)
    ours = _STATUS.get(status or "")
    if ours is None:
        raise MessageInvalid(f"pacs.002 status {status!r} is not one we know")
    if ours == "failed":
        return _maybe(e2e), PayoutResult("failed", reason=_reason(code))
    return _maybe(e2e), PayoutResult(ours, partner_reference=info)  # type: ignore[arg-type]


def _maybe(e2e: str | None) -> str | None:
    return payout_id_of(e2e) if e2e is not None else None


@dataclass(frozen=True, slots=True)
class CreditTransfer:
    """What a bank needs of a pacs.008 (the simulator's view of one)."""

    msg_id: str
    payout_id: str
    uetr: str | None
    amount: str
    currency: str
    fingerprint: str
    """sha256 of the canonical transaction: a resend with a new MsgId has the same one."""


def credit_transfer(body: bytes) -> CreditTransfer:
    message, root = parse(body, (PACS008,))
    tx = root.find(f"{{{ns(message)}}}FIToFICstmrCdtTrf/{{{ns(message)}}}CdtTrfTxInf")
    assert tx is not None  # the schema requires one
    amount = tx.find(f"{{{ns(message)}}}IntrBkSttlmAmt")
    assert amount is not None and amount.text is not None
    e2e = _find(root, message, "FIToFICstmrCdtTrf/CdtTrfTxInf/PmtId/EndToEndId") or ""
    return CreditTransfer(
        msg_id=_find(root, message, "FIToFICstmrCdtTrf/GrpHdr/MsgId") or "",
        payout_id=payout_id_of(e2e),
        uetr=_find(root, message, "FIToFICstmrCdtTrf/CdtTrfTxInf/PmtId/UETR"),
        amount=str(Decimal(amount.text)),
        currency=amount.get("Ccy", ""),
        fingerprint=hashlib.sha256(etree.tostring(tx, method="c14n")).hexdigest(),
    )


def status_request(body: bytes) -> tuple[str, str]:
    """(MsgId, payout id) of a pacs.028 asking about one payment."""
    message, root = parse(body, (PACS028,))
    e2e = _find(root, message, "FIToFIPmtStsReq/TxInf/OrgnlEndToEndId")
    if e2e is None:
        raise MessageInvalid("pacs.028 without OrgnlEndToEndId")
    return _find(root, message, "FIToFIPmtStsReq/GrpHdr/MsgId") or "", payout_id_of(e2e)


# -- statements -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatementEntry:
    """One booked entry of a camt.053/054 that concerns a payout."""

    payout_id: str
    amount: Decimal
    currency: str
    reference: str
    status: str
    """"paid" for a booked debit (the payout), "returned" for a booked credit (its return)."""


def camt053(
    *,
    msg_id: str,
    created: datetime,
    account: str,
    currency: str,
    entries: list[tuple[str, str, str]],
) -> bytes:
    """A statement of `account` listing each (payout id, amount, bank reference) as a booked
    debit, as the simulated bank reports our prefunded account."""
    doc = _Doc(CAMT053)
    report = doc.begin("BkToCstmrStmt", msg_id, created)
    statement = doc.add(report, "Stmt")
    doc.add(statement, "Id", msg_id)
    doc.add(statement, "CreDtTm", _timestamp(created))
    doc.path(statement, "Acct", "Id", "Othr", "Id", text=account)
    total = sum((Decimal(amount) for _, amount, _ in entries), Decimal(0))
    balance = doc.add(statement, "Bal")
    doc.path(balance, "Tp", "CdOrPrtry", "Cd", text="CLBD")
    doc.add(balance, "Amt", str(total), Ccy=currency)
    doc.add(balance, "CdtDbtInd", "DBIT")
    doc.path(balance, "Dt", "DtTm", text=_timestamp(created))
    for payout_id, amount, reference in entries:
        entry = doc.add(statement, "Ntry")
        doc.add(entry, "Amt", amount, Ccy=currency)
        doc.add(entry, "CdtDbtInd", "DBIT")
        doc.path(entry, "Sts", "Cd", text="BOOK")
        doc.path(entry, "BookgDt", "DtTm", text=_timestamp(created))
        doc.add(entry, "AcctSvcrRef", reference)
        codes = doc.path(entry, "BkTxCd", "Domn")
        doc.add(codes, "Cd", "PMNT")
        family = doc.add(codes, "Fmly")
        doc.add(family, "Cd", "ICDT")
        doc.add(family, "SubFmlyCd", "XBCT")
        refs = doc.path(entry, "NtryDtls", "TxDtls", "Refs")
        doc.add(refs, "EndToEndId", end_to_end_id(payout_id))
        doc.add(refs, "UETR", uetr(payout_id))
    return doc.finish()


def statement_entries(body: bytes) -> list[StatementEntry]:
    """Booked entries of a camt.053 or camt.054 with an EndToEndId; raises MessageInvalid."""
    message, root = parse(body, (CAMT053, CAMT054))
    n = f"{{{ns(message)}}}"
    container = "Stmt" if message == CAMT053 else "Ntfctn"
    out = []
    for entry in root.iter(f"{n}Ntry"):
        if entry.findtext(f"{n}Sts/{n}Cd") != "BOOK":
            continue  # pending or informational entries are not money moved
        amount = entry.find(f"{n}Amt")
        assert amount is not None and amount.text is not None
        direction = entry.findtext(f"{n}CdtDbtInd")
        reference = entry.findtext(f"{n}AcctSvcrRef") or ""
        for tx in entry.iter(f"{n}TxDtls"):
            e2e = tx.findtext(f"{n}Refs/{n}EndToEndId")
            if not e2e or e2e == "NOTPROVIDED":
                continue
            tx_amount = tx.find(f"{n}Amt")
            value = tx_amount if tx_amount is not None and tx_amount.text else amount
            try:
                money = Decimal(str(value.text))
            except InvalidOperation as exc:  # pragma: no cover - the schema checks decimals
                raise MessageInvalid(f"{container}: bad amount") from exc
            out.append(
                StatementEntry(
                    payout_id_of(e2e),
                    money,
                    value.get("Ccy", ""),
                    tx.findtext(f"{n}Refs/{n}AcctSvcrRef") or reference,
                    "paid" if direction == "DBIT" else "returned",
                )
            )
    return out
