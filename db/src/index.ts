// Session store (PGlite / PostgreSQL) and telemetry stores (memory / ClickHouse).
export {};
export * from './session-store/index.js';
export * from './telemetry/index.js';
