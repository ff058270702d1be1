import { readFileSync, writeFileSync } from 'node:fs';
import { isValidId, parseJson, WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import type { RotationReason } from '../../publish-bot/key-rotation.js';
import type { LifecycleAction } from '../../publish-bot/lifecycle.js';
import { type AdminCommandContext, plural } from './context.js';

// Each command loads what it runs (simple-git, TUF signing, the registry editor), not every wharf-admin start.
const registryEdit = () => import('../../registry/registry-edit.js');
const shardedStore = () => import('../../registry/sharded-store.js');
const store = () => import('../../registry/store.js');
const wxautoFormat = () => import('../../publish-bot/wxauto-format.js');

/** yank | deprecate | remove, mirror sync, WXAUTO import/export, and the move to the sharded layout. */
export function registerRegistryMaintenance(ctx: AdminCommandContext): void {
  ctx
    .sub(ctx.program, 'shard')
    .description('move a registry to the sharded layout: per-plugin targets under TUF hashed bins, same root')
    .argument('<dir>', 'registry directory')
    .option('--keys <dir>', 'private keys dir (default: <parent>/<basename>.keys/); a bins key is added there')
    .option('--bits <n>', 'log2 of the bin count (default: about 100 plugins a bin)')
    .action(async (dir: string, o: { keys?: string; bits?: string }, cmd: Command) => {
      const bits = o.bits === undefined ? undefined : Number(o.bits);
      if (bits !== undefined && !(Number.isInteger(bits) && bits >= 1 && bits <= 16))
        throw new WharfError('E_USAGE', `--bits takes an integer from 1 to 16, got ${JSON.stringify(o.bits)}`);
      const [{ migrateToSharded }, { defaultKeysDir }] = await Promise.all([
        shardedStore(),
        import('../../tuf/keys.js'),
      ]);
      const r = await migrateToSharded(dir, {
        keysDir: o.keys ?? defaultKeysDir(dir),
        ...(bits !== undefined ? { bitLength: bits } : {}),
      });
      ctx.out(
        cmd,
        `Sharded ${plural(r.plugins, 'plugin')} into ${2 ** r.bitLength} bins: targets v${r.targetsVersion}, snapshot v${r.snapshotVersion}, timestamp v${r.timestampVersion}. Clients follow with their next refresh.`,
        r,
      );
    });

  for (const action of ['yank', 'deprecate', 'remove'] as LifecycleAction[]) {
    ctx
      .sub(ctx.program, action)
      .description(`${action} <id>[@version] in registry.json (does not re-sign; run publish)`)
      .argument('<spec>', '<id> or <id>@<version>')
      .requiredOption('--reason <text>', 'why (shown to users)')
      .option('--registry <dir>', 'registry directory', 'registry')
      .action(async (spec: string, o: { reason: string; registry: string }, cmd: Command) => {
        const [{ openRegistryEdit }, { applyLifecycle }] = await Promise.all([
          registryEdit(),
          import('../../publish-bot/lifecycle.js'),
        ]);
        const edit = await openRegistryEdit(o.registry, [spec.split('@')[0] as string]);
        const next = applyLifecycle(edit.registry, action, spec, o.reason);
        const saved = await edit.save(next);
        const tail = saved.published
          ? `Signed: snapshot v${saved.published.snapshotVersion}.`
          : `Run \`wharf-admin publish ${o.registry}\` to sign it.`;
        ctx.out(cmd, `${action}: ${spec} (${o.reason}). ${tail}`, { action, spec });
      });
  }

  ctx
    .sub(ctx.program, 'rotate-key')
    .description("apply a key-rotation statement signed by the plugin's current key (does not re-sign; run publish)")
    .requiredOption('--statement <file>', 'the statement: wharf-rotate id=<id> new_keyid=<hex> new_key=<RW…>')
    .requiredOption('--sig <file>', 'its .minisig by the old key, with the statement as trusted comment')
    .option('--reason <r>', 'routine | compromised (compromised revokes the old key)', 'routine')
    .option('--registry <dir>', 'registry directory', 'registry')
    .action(async (o: { statement: string; sig: string; reason: string; registry: string }, cmd: Command) => {
      const [{ openRegistryEdit }, { rotateKey }] = await Promise.all([
        registryEdit(),
        import('../../publish-bot/key-rotation.js'),
      ]);
      const statement = readFileSync(o.statement, 'utf8');
      // The statement names the plugin (rotateKey checks it in full); a sharded registry loads only that one.
      const id = /(?:^|\s)id=(\S+)/.exec(statement)?.[1] ?? '';
      const edit = await openRegistryEdit(o.registry, isValidId(id) ? [id] : []);
      const next = rotateKey(edit.registry, {
        statement,
        minisig: readFileSync(o.sig, 'utf8'),
        reason: o.reason as RotationReason,
      });
      const saved = await edit.save(next);
      ctx.out(
        cmd,
        saved.published
          ? 'Key rotated and signed.'
          : `Key rotated. Run \`wharf-admin publish ${o.registry}\` to sign it.`,
        { rotated: true },
      );
    });

  const mirror = ctx.sub(ctx.program, 'mirror').description('mirror remotes');
  ctx
    .sub(mirror, 'sync')
    .description('push origin to the mirror remote, refusing an index that lost more than 5% of its entries')
    .requiredOption('--workdir <dir>', 'a clone with both remotes')
    .option('--from <remote>', 'source remote', 'origin')
    .option('--to <remote>', 'mirror remote', 'gitee')
    .option('--branch <name>', 'branch', 'main')
    .option('--registry-subdir <dir>', 'registry directory inside the clone', 'registry')
    .action(
      async (
        o: { workdir: string; from: string; to: string; branch: string; registrySubdir: string },
        cmd: Command,
      ) => {
        const { mirrorSync } = await import('../../publish-bot/mirror-sync.js');
        const r = await mirrorSync({
          workdir: o.workdir,
          from: o.from,
          to: o.to,
          branch: o.branch,
          registrySubdir: o.registrySubdir,
        });
        ctx.out(cmd, `pushed ${o.from}/${o.branch} to ${o.to} (${r.before} → ${plural(r.after, 'plugin')})`, r);
      },
    );

  const format = (v: string) => {
    if (v !== 'wxauto') throw new WharfError('E_USAGE', `unknown format ${JSON.stringify(v)} (only wxauto)`);
    return v;
  };
  ctx
    .sub(ctx.program, 'export')
    .description('write the catalog in another registry format')
    .requiredOption('--format <f>', 'wxauto', format)
    .option('--registry <dir>', 'registry directory', 'registry')
    .option('--out <file>', 'output file (default stdout)')
    .option('--registry-url <url>', 'registry_url to record')
    .action(async (o: { registry: string; out?: string; registryUrl?: string }) => {
      const [{ readFullRegistry }, { exportWxauto }] = await Promise.all([shardedStore(), wxautoFormat()]);
      const registry = await readFullRegistry(o.registry);
      const text = `${JSON.stringify(exportWxauto(registry, o.registryUrl ? { registryUrl: o.registryUrl } : {}), null, 2)}\n`;
      if (o.out) writeFileSync(o.out, text);
      else ctx.io.stdout.write(text);
    });
  ctx
    .sub(ctx.program, 'import')
    .description('add the entries of another registry format (no releases: nothing pinned)')
    .requiredOption('--format <f>', 'wxauto', format)
    .argument('<file>', 'the registry.json to import')
    .option('--registry <dir>', 'registry directory', 'registry')
    .action(async (file: string, o: { registry: string }, cmd: Command) => {
      const [{ isShardedRegistry }, { readRegistry, writeRegistry }, { importWxauto }] = await Promise.all([
        shardedStore(),
        store(),
        wxautoFormat(),
      ]);
      if (await isShardedRegistry(o.registry))
        throw new WharfError('E_USAGE', 'import into a sharded registry is not supported yet: import, then shard');
      const { registry } = await readRegistry(o.registry);
      const r = importWxauto(registry, parseJson(readFileSync(file), file));
      await writeRegistry(o.registry, r.registry);
      ctx.out(
        cmd,
        [`imported ${r.added.length}: ${r.added.join(', ')}`, ...r.notes.map((n) => `note: ${n}`)].join('\n'),
        {
          added: r.added,
          notes: r.notes,
        },
      );
    });
}
