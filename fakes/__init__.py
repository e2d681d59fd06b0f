"""Stand-ins for Teams and its Bot Connector, shared by the tests and the benchmarks (never installed)."""
