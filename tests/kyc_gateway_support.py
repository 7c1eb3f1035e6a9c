"""Shared by the KYC, AML and sanctions gateway tests."""

from __future__ import annotations

import pytest
import structlog

ID_DOCUMENTS = {
    "birth_date": "1990-04-01",
    "address": "1 Main St, Springfield",
    "id_type": "passport",
    "id_number": "X1234567",
    "id_country_code": "USA",
    "photo_id_front": "doc_front_1",
}
"""What a sender at the lowest tier sends for id_verified (the provider's review, or an
officer's when no provider is set up)."""


@pytest.fixture(autouse=True)
def default_logging():
    """Another test (or the CLI under capsys) may leave structlog writing to a closed capture
    stream; start and end each test with structlog's defaults."""
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()
