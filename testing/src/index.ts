export * from './upstream.js';
export * from './http.js';
