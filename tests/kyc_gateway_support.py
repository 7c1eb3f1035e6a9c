"""Shared by the KYC, AML and sanctions gateway tests."""

from __future__ import annotations

import pytest
import structlog


@pytest.fixture(autouse=True)
def default_logging():
    """Another test (or the CLI under capsys) may leave structlog writing to a closed capture
    stream; start and end each test with structlog's defaults."""
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()
