// test/failover/faults.test.ts again, against the sharded layout: the same bad mirrors (refused, hanging, slow,
// 5xx, HTML, truncated, endless, tampered, rolled back, expired, mixed snapshot), hedging, last-good order, the
// 304 revalidation, the freeze guard and the stale cache, with the index split into hashed bins and plugin files.
process.env.WHARF_TEST_LAYOUT = 'sharded';
await import('../failover/faults.test.js');
// The layout is read once when the file loads; nothing else in this worker may see it.
delete process.env.WHARF_TEST_LAYOUT;
