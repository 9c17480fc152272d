import './provided.js';
export * from './upstream.js';
export * from './http.js';
export * from './clickhouse-server.js';
export * from './tcp-relay.js';
export * from './eventually.js';
export * from './downspin-process.js';
export * from './downspin-start.js';
export * from './process-watchdog.js';
