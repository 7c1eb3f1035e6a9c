"""Journeys reuse the areas' fixtures: officers (with API tokens) from the compliance tests."""

import pytest

from tests.console.conftest import officers  # noqa: F401
from tests.journeys.rescreening_support import two_versions


@pytest.fixture
def lists(tmp_path):
    """The sanctions list before and after Putin's entry (a module may define its own)."""
    return two_versions(tmp_path)
