// Session store (PGlite / PostgreSQL) and telemetry stores (memory / ClickHouse).
export {};
