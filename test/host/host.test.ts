import { rmSync } from 'node:fs';
import { createHost, type PluginHost, type UpdatedEvent, WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/demo.js';
import {
  hostFnPluginWat,
  type LocalRegistry,
  localRegistry,
  manifestFor,
  TAG_PERMISSIONS,
  tagPluginWat,
  wat2wasm,
} from './local-registry.js';

// The host-app API end to end: a real signed registry over HTTP, real installs, real Extism instances.
describe('createHost', () => {
  let reg: LocalRegistry;
  const homes: string[] = [];
  const newHome = () => {
    const h = tempDir('host');
    homes.push(h);
    return h;
  };
  // The `gate` host function holds a call in flight until the test opens the gate.
  let gate: Promise<void> = Promise.resolve();
  let openGate = () => {};
  const closeGate = () => {
    gate = new Promise((ok) => {
      openGate = ok;
    });
  };
  const open = (extra: Parameters<typeof createHost>[0] = {}) =>
    createHost({
      home: newHome(),
      sources: [{ alias: 'local', url: reg.url, rootSha256: reg.rootSha256 }],
      ...extra,
      hostFunctions: {
        gate: async () => {
          await gate;
          return 0n;
        },
        ...extra.hostFunctions,
      },
    });

  beforeAll(async () => {
    reg = await localRegistry();
    await reg.publish(manifestFor('tagger', '1.0.0', 'tag', TAG_PERMISSIONS), await wat2wasm(tagPluginWat('v1:')));
    await reg.publish(
      manifestFor('shouter', '1.0.0', 'shout', {
        host_functions: ['upper'],
        justifications: { host_functions: 'asks the host app to upper-case text' },
      }),
      await wat2wasm(hostFnPluginWat()),
    );
  });
  afterAll(async () => {
    await reg?.close();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  it('hot-reloads: after update the next call runs 1.1.0, an in-flight call finishes on 1.0.0, no call fails', async () => {
    const host = await open();
    const events: UpdatedEvent[] = [];
    const reloaded: UpdatedEvent[] = [];
    host.on('updated', (e) => events.push(e));
    host.on('reloaded', (e) => reloaded.push(e));
    try {
      const inst = await host.install('tagger@^1');
      expect(inst.version).toBe('1.0.0');
      const p = await host.load('tagger');
      expect(await p.callText('tag', 'a')).toBe('v1:a');

      // A call held in flight on 1.0.0 while 1.1.0 is published and installed.
      closeGate();
      const inFlight = p.callText('tag', '~slow');
      await reg.publish(manifestFor('tagger', '1.1.0', 'tag', TAG_PERMISSIONS), await wat2wasm(tagPluginWat('v2:')));
      const updated = await host.update('tagger');
      expect(updated).toEqual([expect.objectContaining({ id: 'tagger', from: '1.0.0', to: '1.1.0' })]);
      expect(events).toEqual(updated);
      // update() already instantiated 1.1.0 for the loaded plugin, so the switch costs the next call nothing.
      expect(p.version).toBe('1.1.0');

      expect(await p.callText('tag', 'b')).toBe('v2:b');
      expect(p.version).toBe('1.1.0');
      // The old instance is still running the slow call, so it is draining, not closed.
      expect(p.health().draining).toBe(1);
      expect(reloaded).toEqual([expect.objectContaining({ from: '1.0.0', to: '1.1.0' })]);
      openGate();
      expect(await inFlight).toBe('v1:~slow');
      // The old instance closes asynchronously once its last call returned: wait for that, however long it takes.
      await vi.waitFor(() => expect(p.health().draining).toBe(0), { timeout: 30_000, interval: 10 });
      expect(await p.callText('tag', 'c')).toBe('v2:c');

      const [h] = host.health();
      expect(h).toMatchObject({ id: 'tagger', version: '1.1.0', status: 'ok', calls: 4, errors: 0, reloads: 1 });
      expect(events).toHaveLength(1); // the switch at call time did not announce the same update again
    } finally {
      await host.close();
    }
  });

  it('counts errors from a trapping plugin in health, and keeps serving after the trap', async () => {
    const host = await open();
    const errors: string[] = [];
    host.on('call-error', (e) => errors.push(e.error.code));
    try {
      await host.install('tagger@1.0.0');
      const [p, again] = await Promise.all([host.load('tagger'), host.load('tagger')]);
      expect(again).toBe(p); // concurrent loads share one instance
      expect(p.health().status).toBe('idle');
      expect(await p.callText('tag', 'x')).toBe('v1:x');
      await expect(p.call('tag', '!boom')).rejects.toMatchObject({ code: 'E_PLUGIN_TRAP' });
      let h = host.health()[0];
      expect(h).toMatchObject({
        status: 'failing',
        calls: 2,
        errors: 1,
        last_error: { export: 'tag', code: 'E_PLUGIN_TRAP' },
      });
      expect(await p.callText('tag', 'y')).toBe('v1:y');
      await expect(p.call('tag', '!again')).rejects.toMatchObject({ code: 'E_PLUGIN_TRAP' });
      expect(await p.callText('tag', 'z')).toBe('v1:z');
      h = host.health()[0];
      expect(h).toMatchObject({ status: 'degraded', calls: 5, errors: 2 });
      expect(h?.p95_ms).toBeGreaterThan(0);
      expect(h?.p95_ms).toBeGreaterThanOrEqual(h?.p50_ms ?? 0);
      expect(errors).toEqual(['E_PLUGIN_TRAP', 'E_PLUGIN_TRAP']);
    } finally {
      await host.close();
    }
  });

  it('links host functions by name only when the manifest declares them, and refuses a plugin whose function is missing', async () => {
    const bare = await open();
    try {
      await bare.install('shouter');
      await expect(bare.load('shouter')).rejects.toMatchObject({ code: 'E_PERMISSION_UNSUPPORTED' });
      expect(bare.health()).toEqual([]);
    } finally {
      await bare.close();
    }
    const host = await open({
      hostFunctions: {
        upper: (ctx, offset) => ctx.store((ctx.read(offset)?.text() ?? '').toUpperCase()),
      },
    });
    try {
      await host.install('shouter');
      const p = await host.load('shouter');
      expect(await p.callText('shout', 'quiet please')).toBe('QUIET PLEASE');
    } finally {
      await host.close();
    }
  });

  it('picks up an update made by another process (wharf update) at the next call, and keeps the old version when the new one cannot load', async () => {
    const home = newHome();
    const host = await createHost({
      home,
      sources: [{ alias: 'local', url: reg.url, rootSha256: reg.rootSha256 }],
      hostFunctions: { gate: async () => 0n },
    });
    const events: UpdatedEvent[] = [];
    host.on('updated', (e) => events.push(e));
    try {
      await host.install('tagger@1.0.0');
      const p = await host.load('tagger');
      expect(await p.callText('tag', 'a')).toBe('v1:a');
      // Another process (the CLI) updates the same home; this host only sees the lockfile change.
      const other = new WharfClient({ home });
      await other.refresh();
      await other.install('tagger@1.1.0');
      expect(await p.callText('tag', 'b')).toBe('v2:b');
      expect(events).toEqual([expect.objectContaining({ id: 'tagger', from: '1.0.0', to: '1.1.0' })]);

      // 1.2.0 needs a host function this host lacks: calls keep running on 1.1.0 and health says why.
      await reg.publish(
        manifestFor('tagger', '1.2.0', 'tag', {
          host_functions: ['gate', 'missing'],
          justifications: { host_functions: 'tests a host that lacks a function' },
        }),
        await wat2wasm(tagPluginWat('v3:')),
      );
      await other.refresh();
      await other.install('tagger@1.2.0', { yes: true });
      expect(await p.callText('tag', 'c')).toBe('v2:c');
      expect(p.health()).toMatchObject({
        version: '1.1.0',
        errors: 0,
        reload_error: { code: 'E_PERMISSION_UNSUPPORTED' },
      });
    } finally {
      await host.close();
    }
  });

  it('unloads: close waits for in-flight calls, later calls are refused', async () => {
    const host: PluginHost = await open();
    await host.install('tagger@1.0.0');
    const p = await host.load('tagger');
    closeGate();
    const slow = p.callText('tag', '~x');
    const closing = host.close();
    openGate();
    expect(await slow).toBe('v1:~x');
    await closing;
    await expect(p.call('tag', 'late')).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
