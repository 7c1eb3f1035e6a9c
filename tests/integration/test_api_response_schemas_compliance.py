"""Every documented response of the officers' work against a real one
(tests/api_schemas_support): a held case claimed, assigned, decided (and the decision
repeated), its SAR draft, the decisions' CSV and the audit chain; an error report acknowledged,
investigated and resolved; a KYC upgrade the provider approves by its signed result, then one
an officer decides."""

from __future__ import annotations

import pytest

from tests.api_schemas_support import Recorder, check, reported_error
from tests.console_support import hold
from tests.integration.console.conftest import officers  # noqa: F401
from tests.journeys.test_journey_kyc_upgrade import KYC_SECRET, _provider, _signed, kyc_sim  # noqa: F401
from tests.kyc_gateway_support import ID_DOCUMENTS

CASES = "/v1/compliance/cases"
ERRORS = "/v1/compliance/error-cases"
REVIEWS = "/v1/compliance/kyc-reviews"
ENHANCED = {"occupation": "nurse", "source_of_funds": "salary", "proof_of_address": "doc_bill_1"}


@pytest.fixture
def gateway_settings(kyc_sim) -> dict:  # noqa: F811
    return _provider(kyc_sim)


async def _cases(rec: Recorder, gateway, officers) -> None:  # noqa: F811
    _, case_id = await hold(gateway)
    await rec.call("GET", CASES, role="analyst")
    await rec.call("GET", f"{CASES}/{case_id}?reason=review", role="analyst")
    await rec.call("POST", f"{CASES}/{case_id}/claim", role="analyst")
    assign = {"officer_id": officers["supervisor"].id}
    await rec.call("POST", f"{CASES}/{case_id}/assign", role="supervisor", json=assign)
    decision = {"decision": "approve", "reason": "false positive: other person"}
    for status in (201, 200):  # the same officer's same decision again: nothing changes
        await rec.call("POST", f"{CASES}/{case_id}/decisions", "supervisor", status, json=decision)
    await rec.call("GET", f"{CASES}/{case_id}/sar", role="operator")
    await rec.call("GET", "/v1/compliance/decisions.csv", role="operator")
    await rec.call("GET", "/v1/compliance/audit", role="operator")
    await rec.call("GET", "/v1/compliance/audit/verify", role="operator")


async def _error_case(rec: Recorder, gateway) -> None:
    case_id = await reported_error(gateway)
    await rec.call("GET", ERRORS, role="operator")
    await rec.call("GET", f"{ERRORS}/{case_id}", role="analyst")
    await rec.call("POST", f"{ERRORS}/{case_id}/acknowledge", role="analyst")
    await rec.call("POST", f"{ERRORS}/{case_id}/investigate", role="analyst")
    resolve = {"remedy": "no_error", "finding": "paid out, the recipient confirmed"}
    await rec.call("POST", f"{ERRORS}/{case_id}/resolve", role="analyst", json=resolve)


async def _kyc(rec: Recorder, gateway) -> None:
    await gateway.customer(external_id="kyc")  # at the lowest tier, then asks for the next
    sender = await gateway.customer(external_id="kyc", **ID_DOCUMENTS)
    assert sender["review"]["status"] == "provider_review"
    result = {
        "event_id": "evt-1",
        "review_id": sender["review"]["id"],
        "outcome": "approved",
        "reason": None,
    }
    raw, headers = _signed(result, KYC_SECRET, gateway.clock().timestamp())
    await rec.call("POST", "/v1/kyc/provider/results", role=None, data=raw, headers=headers)
    upgraded = await gateway.customer(external_id="kyc", **ID_DOCUMENTS, **ENHANCED)
    review_id = upgraded["review"]["id"]
    assert upgraded["review"]["status"] == "officer_review"
    await rec.call("GET", f"{REVIEWS}?status=all", role="operator")
    await rec.call("GET", f"{REVIEWS}/{review_id}", role="analyst")
    decision = {"decision": "approve", "reason": "documents match"}
    await rec.call("POST", f"{REVIEWS}/{review_id}/decisions", role="analyst", json=decision)


async def test_the_officers_work_answers_as_documented(gateway, officers) -> None:  # noqa: F811
    doc = await (await gateway.client.get("/openapi.json")).json()

    def auth(who: str) -> dict[str, str]:
        return officers[who].auth() if who in officers else gateway.auth(who)

    rec = Recorder(gateway.client, doc, auth)
    await _cases(rec, gateway, officers)
    await _error_case(rec, gateway)
    await _kyc(rec, gateway)
    check(rec, "compliance")
