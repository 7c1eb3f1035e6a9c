"""Imports every module that defines tables, so `metadata` is complete for Alembic."""

from gateway.storage import tables as _tables  # noqa: F401
from gateway.storage import tables_bots as _tables_bots  # noqa: F401
from gateway.storage import tables_compliance as _tables_compliance  # noqa: F401
from gateway.storage import tables_errors as _tables_errors  # noqa: F401
from gateway.storage import tables_funding as _tables_funding  # noqa: F401
from gateway.storage import tables_kyc as _tables_kyc  # noqa: F401
from gateway.storage import tables_partners as _tables_partners  # noqa: F401
from gateway.storage import tables_rates as _tables_rates  # noqa: F401
from gateway.storage import tables_travel as _tables_travel  # noqa: F401
from ledger_adapter import sql as _ledger_sql  # noqa: F401
from ledger_adapter.evm import tables as _chain_tables  # noqa: F401
