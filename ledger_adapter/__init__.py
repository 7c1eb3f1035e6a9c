"""Double-entry ledger: the port (`port`), the SQL engine (`sql`), the in-memory model
(`memory`), the chart of accounts with mint/burn builders (`chart`)."""
