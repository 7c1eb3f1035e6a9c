"""Double-entry ledger: the port (`port`), the SQL engine (`sql`), the in-memory model
(`memory`), the chart of accounts: every account family and the transfer builders (`chart`)."""
