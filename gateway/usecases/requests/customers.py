"""PUT /v1/customers: SEP-9 style KYC fields (names as in Stellar SEP-9), all optional but the
app's external id and the country, so an app can submit what it has and add the rest later.
`name` and `phone` (the spine's fields) keep working: `name` is split into first and last
name when those are not given; `phone` is `mobile_number`."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from gateway.usecases.requests.base import Body, CountryCode

Text = Field(default=None, min_length=1, max_length=200)


class CustomerRequest(Body):
    external_id: str = Field(min_length=1, max_length=120, examples=["user-42"])
    country: CountryCode
    name: str | None = Field(default=None, min_length=1, max_length=200)
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=32, examples=["+14155550100"])
    mobile_number: str | None = Field(default=None, max_length=32, examples=["+14155550100"])
    mobile_number_verified: bool | None = Field(
        default=None,
        description="true: the sending app confirmed this number with the customer (a one-time "
        "code); the lowest tier needs a verified phone. A new number without it is unverified",
    )
    birth_date: date | None = None
    birth_place: str | None = Text
    address: str | None = Field(default=None, min_length=1, max_length=500)
    id_type: Literal["passport", "drivers_license", "id_card"] | None = None
    id_number: str | None = Field(default=None, min_length=1, max_length=60)
    id_country_code: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", examples=["USA"])
    # Documents are uploaded elsewhere; the field carries the document's reference.
    photo_id_front: str | None = Text
    occupation: str | None = Text
    source_of_funds: str | None = Text
    proof_of_address: str | None = Text


class ErasureRequest(Body):
    """Why the person is erased (their request, a ticket): written to the audit log."""

    reason: str = Field(min_length=3, max_length=300, examples=["subject request #1234"])
