import { createPgliteStore } from '../factories.js';

/**
 * Creates (initdb) and migrates an embedded database directory, then exits.
 * Run as a child process by `createPgliteWorkerStore` on a new directory:
 * initdb in WebAssembly leaves ~100 MB the process's allocator never gives
 * back, so it runs where exiting returns it.
 */
const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: init-data-dir <dataDir>');
const store = await createPgliteStore({ dataDir, migrate: true });
await store.close();
