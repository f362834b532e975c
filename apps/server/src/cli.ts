// The libuv pool is sized on first use; DuckDB statements run on it, so it must be large
// enough that a light query is never queued behind a few heavy ones. Set before anything loads.
process.env.UV_THREADPOOL_SIZE ??= '16';
await import('./main.ts');
export {};
