"""Dates of ECB reference rates as a test may meet them: the newest day already published."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fx.ecb import PUBLICATION_TIME


def published_ecb_day(now: datetime) -> date:
    """The newest ECB day published at `now`: today once its rates are out, else yesterday. A
    file stamped with a day not yet published is refused as from the future."""
    published_today = datetime.combine(now.date(), PUBLICATION_TIME) <= now
    return now.date() if published_today else now.date() - timedelta(days=1)
