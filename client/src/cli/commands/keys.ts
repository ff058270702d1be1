import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `wharf keygen|sign`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('keygen')
    .description('create a minisign key pair for signing plugin releases; prints the paths')
    .option('--out <dir>', 'where to write wharf.pub and wharf.key (default: <home>/keys)')
    .option('--force', 'overwrite an existing pair')
    .action(async (o: { out?: string; force?: boolean }) => {
      // <home>/keys is Wharf's own dir, made on first use; an --out dir must exist already (a typo shouldn't make one).
      const { writeKeyPair } = await import('../../signing/index.js');
      const dir = o.out ?? ctx.client().home.keys;
      if (!o.out) mkdirSync(dir, { recursive: true, mode: 0o700 });
      const k = writeKeyPair(dir, { force: o.force });
      ctx
        .out()
        .result(k, () => [
          `public key: ${k.publicKeyPath}`,
          `secret key: ${k.secretKeyPath}`,
          `key id:     ${k.keyid}`,
        ]);
    });

  program
    .command('sign <wasm>')
    .description('sign a plugin.wasm with the Wharf binding; writes <wasm>.minisig')
    .requiredOption('--id <id>', 'the plugin id')
    .requiredOption('--version <version>', 'the release version')
    .option('--key <file>', 'the minisign secret key (default: the one `wharf keygen` wrote)')
    .action(async (wasm: string, o: { id: string; version: string; key?: string }) => {
      const { signFile } = await import('../../signing/index.js');
      const key = o.key ?? join(ctx.client().home.keys, 'wharf.key');
      const r = signFile(wasm, { id: o.id, version: o.version, secretKeyPath: key });
      ctx.out().result(r, () => `wrote ${r.sigPath} (key ${r.keyid}, sha256 ${r.sha256.slice(0, 12)}…)`);
    });
}
