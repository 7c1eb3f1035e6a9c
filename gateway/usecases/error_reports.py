"""A sender reports an error (wrong amount, not received, late) within the regime's days of the
disclosed availability date; a case opens with its clocks. After the window: a problem naming
the rule, nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from compliance.protections.calendar import add_business_days
from fx.money import Money
from gateway.domain.callers import Caller
from gateway.errors import Conflict
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import errors as error_store
from gateway.usecases import receipts
from gateway.usecases.cancellation import regime_of, sending_country
from gateway.usecases.ownership import own_remittance
from gateway.usecases.schemas import STR, strings
from ledger_adapter.sessions import reading

KINDS = ("wrong_amount", "not_received", "late")


async def report_error(
    svc: Services, caller: Caller, remittance_id: str, kind: str, description: str
) -> dict[str, Any]:
    receipt = await receipts.receipt(svc, caller, remittance_id)  # 404, or 409 before payment
    async with reading(svc.engine) as conn:
        row = await own_remittance(conn, caller, remittance_id)
    regime = regime_of(svc, row)
    now = svc.now()
    last_day = receipt.funds_available_on + timedelta(days=regime.error_report_days)
    if now.date() > last_day:
        raise Conflict(
            "error-report-window-closed",
            "Error report window closed",
            f"{regime.error_rule}: errors are reported within {regime.error_report_days} days "
            f"of the date funds were available ({receipt.funds_available_on.isoformat()}); "
            f"the last day was {last_day.isoformat()}",
            extra={"rule": regime.error_rule},
        )
    country = sending_country(svc, row)
    ack = datetime.combine(
        add_business_days(now.date(), regime.acknowledge_business_days, country),
        time.max,
        tzinfo=UTC,
    )
    values = {
        "id": new_id("err"),
        "remittance_id": remittance_id,
        "owner": row.owner,
        "kind": kind,
        "description": description,
        "status": "open",
        "rule": regime.error_rule,
        "reported_at": now,
        "acknowledge_by": ack,
        "investigate_by": now + timedelta(days=regime.investigate_days),
        "report_business_days": regime.error_report_business_days,
    }
    async with svc.engine.begin() as conn:
        await error_store.insert_case(conn, values)
    return case_view(values, now, country=country)


_CLOCK = {
    "type": "object",
    "properties": {
        "due": STR,
        "met_at": {"type": ["string", "null"]},
        "overdue": {"type": "boolean"},
    },
}
ERROR_CASE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **strings("id", "remittance_id", "kind", "description", "status", "rule"),
        "reported_at": STR,
        "remedy": {"type": ["string", "null"], "enum": ["refund", "resend", "no_error", None]},
        "remedy_amount": {"type": ["string", "null"]},
        "resend_id": {"type": ["string", "null"]},
        "finding": {"type": ["string", "null"]},
        "clocks": {"type": "object", "additionalProperties": _CLOCK},
        "overdue": {"type": "boolean", "description": "some clock is past due and not met"},
    },
}


def case_view(
    case: Any, now: datetime, currency: str | None = None, country: str | None = None
) -> dict[str, Any]:
    """The case as officers and the sending app see it; `currency` (the send currency) words
    the refunded amount; `country` (the sending country) is the calendar of the report clock.
    Its schema is `ERROR_CASE_SCHEMA`, just above."""
    get = case.get if isinstance(case, dict) else lambda k: getattr(case, k)
    clocks = {
        "acknowledge_by": get("acknowledge_by"),
        "investigate_by": get("investigate_by"),
    }
    done = {
        "acknowledge_by": get("acknowledged_at"),
        "investigate_by": get("found_at"),
    }
    found = get("found_at")
    if found is not None:
        report_by = add_business_days(found.date(), get("report_business_days"), country)
        clocks["report_by"] = datetime.combine(report_by, time.max, tzinfo=UTC)
        done["report_by"] = get("reported_outcome_at")
    view = {
        "id": get("id"),
        "remittance_id": get("remittance_id"),
        "kind": get("kind"),
        "description": get("description"),
        "status": get("status"),
        "rule": get("rule"),
        "reported_at": get("reported_at").isoformat(),
        "remedy": _optional(get, "remedy"),
        "remedy_amount": _remedy_amount(get, currency),
        "resend_id": _optional(get, "resend_id"),
        "finding": _optional(get, "finding"),
        "clocks": {
            name: {
                "due": due.isoformat(),
                "met_at": done[name].isoformat() if done[name] else None,
                "overdue": done[name] is None and now > due,
            }
            for name, due in clocks.items()
        },
    }
    view["overdue"] = overdue(view)
    return view


def _optional(get: Any, key: str) -> Any:
    try:
        return get(key)
    except (KeyError, AttributeError):
        return None


def _remedy_amount(get: Any, currency: str | None) -> str | None:
    minor = _optional(get, "remedy_minor")
    if not minor or currency is None:
        return None
    return str(Money.from_minor(minor, currency))


def overdue(case: dict[str, Any]) -> bool:
    return any(k["overdue"] for k in case["clocks"].values())


async def list_cases(svc: Services, status: str | None = None) -> dict[str, Any]:
    """Error cases, overdue first, then oldest. `status`: one status, "open" (every status
    before resolved, the default), or "all"."""
    from compliance.protections.error_cases import OPEN_STATUSES

    if status in (None, "", "open"):
        statuses: tuple[str, ...] | None = (*OPEN_STATUSES, "resolving")
    else:
        statuses = None if status == "all" else (status,)
    async with reading(svc.engine) as conn:
        rows = await error_store.cases_with_remittance(conn, statuses)
    now = svc.now()
    cases = [case_view(row, now, row.send_currency, sending_country(svc, row)) for row in rows]
    cases.sort(key=lambda c: not overdue(c))
    return {"cases": cases}
