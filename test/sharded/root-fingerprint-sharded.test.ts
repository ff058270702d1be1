// test/threats/root-fingerprint.test.ts again, with its registries in the sharded layout (hashed bins, per-plugin files).
process.env.WHARF_TEST_LAYOUT = 'sharded';
await import('../threats/root-fingerprint.test.js');
// The layout is read once when the files load; nothing else in this worker may see it.
delete process.env.WHARF_TEST_LAYOUT;
