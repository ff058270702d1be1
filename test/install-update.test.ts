import type { WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, WHARF } from './helpers/demo.js';
import { createLab, type ReleaseLab } from './helpers/release-lab.js';
import { expectRefusal as refusal, userState } from './helpers/snapshot-dir.js';

// Install and update rules (DESIGN §4, issue 3 §4) against a real signed registry served on 127.0.0.1.
const HOSTS = { allowed_hosts: ['api.example.com'], justifications: { allowed_hosts: 'fetches rates' } };

/** The refusal contract for one client's home. */
const expectRefusal = (c: WharfClient, code: string, act: () => Promise<unknown>) => refusal(c.home.root, code, act);

describe('install and update', () => {
  let lab: ReleaseLab;
  beforeAll(async () => {
    lab = await createLab();
    for (const v of ['1.0.0', '1.2.0', '2.0.0']) await lab.add({ id: 'lib', version: v });
    await lab.add({ id: 'app', version: '1.0.0', dependencies: { lib: '^1' } });
    await lab.add({ id: 'other', version: '1.0.0', dependencies: { lib: '^2' } });
    await lab.add({ id: 'broken', version: '1.0.0', dependencies: { ghost: '^1' } });
    await lab.add({ id: 'ping', version: '1.0.0', dependencies: { pong: '^1' } });
    await lab.add({ id: 'pong', version: '1.0.0', dependencies: { ping: '^1' } });
    for (const v of ['1.0.0', '1.0.1', '1.1.0', '2.0.0']) await lab.add({ id: 'tick', version: v });
    await lab.add({ id: 'net', version: '1.0.0' });
    await lab.add({ id: 'net', version: '1.1.0', permissions: HOSTS });
    await lab.add({ id: 'old', version: '1.0.0' });
    await lab.add({ id: 'old', version: '1.1.0' });
    await lab.publish();
  });
  afterAll(async () => lab?.close());

  it('resolves dependencies with semver and installs them first, in one lockfile swap', async () => {
    const c = await lab.client();
    const [app, lib] = await c.installMany(['app']);
    expect(app).toMatchObject({ id: 'app', version: '1.0.0', reason: 'requested' });
    expect(lib).toMatchObject({ id: 'lib', version: '1.2.0', reason: 'dependency' });
    const lock = c.list();
    expect(lock.map((e) => `${e.id}@${e.version}`).sort()).toEqual(['app@1.0.0', 'lib@1.2.0']);
    const e = lock.find((x) => x.id === 'lib');
    expect(e).toMatchObject({ source: 'lab', size: expect.any(Number), keyid: '7bfeecaf241cef69' });
    expect(e?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(e?.index_version).toBeGreaterThan(0);
    expect((await c.verify()).every((v) => v.ok)).toBe(true);
  });

  it('E_DEP_CONFLICT names every requirer and changes nothing', async () => {
    const c = await lab.client();
    await c.install('app');
    const err = await expectRefusal(c, 'E_DEP_CONFLICT', () => c.install('other'));
    expect(err.message).toContain('app@1.0.0 needs ^1');
    expect(err.message).toContain('other@1.0.0 needs ^2');
  });

  it('E_DEP_MISSING and E_DEP_CYCLE (naming the cycle) refuse before any download', async () => {
    const c = await lab.client();
    await expectRefusal(c, 'E_DEP_MISSING', () => c.install('broken'));
    const err = await expectRefusal(c, 'E_DEP_CYCLE', () => c.install('ping'));
    expect(err.message).toMatch(/ping@1\.0\.0 → pong@1\.0\.0 → ping@1\.0\.0/);
    expect(c.list()).toEqual([]);
  });

  it('outdated labels patch, minor and major; update moves to the newest; a downgrade needs consent', async () => {
    const c = await lab.client();
    await c.install('tick@1.0.0');
    expect((await c.outdated())[0]).toMatchObject({ id: 'tick', installed: '1.0.0', latest: '2.0.0', change: 'major' });
    await c.install('tick@~1.0.0', {});
    expect(c.list()[0]?.version).toBe('1.0.1');
    const r = await c.update();
    expect(r.updated[0]).toMatchObject({ id: 'tick', previous: '1.0.1', version: '2.0.0', change: 'major' });
    expect(await c.outdated()).toEqual([]);
    const err = await expectRefusal(c, 'E_DOWNGRADE', () => c.install('tick@1.1.0'));
    expect(err.message).toContain('--allow-downgrade');
    const d = await c.install('tick@1.1.0', { allowDowngrade: true });
    expect(d).toMatchObject({ version: '1.1.0', change: 'downgrade' });
    expect((await c.verify()).every((v) => v.ok)).toBe(true);
  });

  it('a widening update asks for consent: refused without it, applied with --yes or a yes answer', async () => {
    const c = await lab.client();
    await c.install('net@1.0.0');
    const err = await expectRefusal(c, 'E_CAPABILITY_ESCALATION', () => c.update());
    expect(err.message).toContain('allowed_hosts: + api.example.com');
    await expectRefusal(c, 'E_CAPABILITY_ESCALATION', () => c.update(undefined, { confirm: async () => false }));
    let asked = '';
    const r = await c.update(undefined, {
      confirm: async (q) => {
        asked = q;
        return true;
      },
    });
    expect(asked).toContain('net 1.0.0 → 1.1.0 asks for more permissions');
    expect(r.updated[0]).toMatchObject({ id: 'net', version: '1.1.0', change: 'minor' });
  });

  it('the CLI refuses widening non-interactively, prints the diff, and --yes accepts', async () => {
    const c = await lab.client();
    await c.install('net@1.0.0');
    const home = c.home.root;
    const before = userState(home);
    const no = await runCli(WHARF, ['--home', home, 'update']);
    expect(no.code).toBe(1);
    expect(no.stderr).toContain('E_CAPABILITY_ESCALATION');
    expect(no.stderr).toContain('+ api.example.com');
    expect(userState(home)).toEqual(before);
    const out = await runCli(WHARF, ['--home', home, 'outdated', '--json']);
    expect(JSON.parse(out.stdout)).toEqual([expect.objectContaining({ id: 'net', change: 'minor' })]);
    const yes = await runCli(WHARF, ['--home', home, '--yes', 'update', '--json']);
    expect(yes.code, yes.stderr).toBe(0);
    expect(JSON.parse(yes.stdout).updated[0]).toMatchObject({ id: 'net', version: '1.1.0', change: 'minor' });
  });

  it('honours yanked and deprecated versions', async () => {
    const c = await lab.client();
    await c.install('old');
    expect(c.list()[0]?.version).toBe('1.1.0');
    await lab.edit((reg) => {
      const p = reg.plugins.find((x) => x.plugin_id === 'old');
      const r11 = p?.releases.find((r) => r.version === '1.1.0');
      if (r11) Object.assign(r11, { yanked: true, yanked_reason: 'corrupts output' });
    });
    await lab.publish();
    await c.refresh();
    expect((await c.outdated())[0]).toMatchObject({
      id: 'old',
      latest: '1.0.0',
      change: 'downgrade',
      yanked: 'corrupts output',
    });
    await expectRefusal(c, 'E_YANKED', () => c.install('old@1.1.0'));
    const skipped = await c.update();
    expect(skipped.updated).toEqual([]);
    expect(skipped.skipped[0]).toMatchObject({ id: 'old', change: 'downgrade' });
    const moved = await c.update(undefined, { allowDowngrade: true });
    expect(moved.updated[0]).toMatchObject({ id: 'old', version: '1.0.0', change: 'downgrade' });

    await lab.edit((reg) => {
      const p = reg.plugins.find((x) => x.plugin_id === 'tick');
      const r2 = p?.releases.find((r) => r.version === '2.0.0');
      if (r2) r2.deprecated = 'use 1.x';
    });
    await lab.publish();
    const c2 = await lab.client();
    expect((await c2.install('tick')).version).toBe('1.1.0');
    const dep = await c2.install('tick@2', { allowDowngrade: true });
    expect(dep.warnings?.[0]).toMatchObject({ code: 'E_DEPRECATED' });
  });
});
