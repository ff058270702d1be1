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
      // Made on first use, private to the user (it holds the secret key); an existing dir keeps its mode.
      const { writeKeyPair } = await import('../../signing/index.js');
      const dir = o.out ?? ctx.client().home.keys;
      mkdirSync(dir, { recursive: true, mode: 0o700 });
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
    .option(
      '--password-file <file>',
      'password of an encrypted key (minisign -G without -W); else $WHARF_KEY_PASSWORD, else asked on the terminal',
    )
    .action(async (wasm: string, o: { id: string; version: string; key?: string; passwordFile?: string }) => {
      const { signFile } = await import('../../signing/index.js');
      const key = o.key ?? join(ctx.client().home.keys, 'wharf.key');
      const { isEncryptedSecretKey, keyPassword, terminalPrompt } = await import('../../signing/key-password.js');
      const { readSecretKeyText } = await import('../../signing/sign-file.js');
      const password = isEncryptedSecretKey(readSecretKeyText(key))
        ? await keyPassword(key, { passwordFile: o.passwordFile, prompt: terminalPrompt() })
        : undefined;
      const r = signFile(wasm, { id: o.id, version: o.version, secretKeyPath: key, password });
      ctx.out().result(r, () => `wrote ${r.sigPath} (key ${r.keyid}, sha256 ${r.sha256.slice(0, 12)}…)`);
    });
}
