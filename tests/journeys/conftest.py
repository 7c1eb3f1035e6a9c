"""Journeys reuse the areas' fixtures: officers (with API tokens) from the compliance tests."""

from tests.console.conftest import officers  # noqa: F401
