import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WharfError } from '@wharf/schemas';
import { Command, CommanderError, Option } from 'commander';
import { WharfClient } from '../client.js';
import { DEFAULT_LIMITS } from '../index/http-fetch.js';
import { signFile, writeKeyPair } from '../signing/index.js';
import { formatAge, Output, progressBar } from './output.js';

interface GlobalOpts {
  home?: string;
  source?: string[];
  json?: boolean;
  offline?: boolean;
  yes?: boolean;
  timeout?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function client(g: GlobalOpts): WharfClient {
  const t = g.timeout ? Number(g.timeout) : undefined;
  if (t !== undefined && !(t > 0)) throw new WharfError('E_USAGE', `--timeout takes milliseconds, got "${g.timeout}".`);
  const limits = t ? { ...DEFAULT_LIMITS, headersTimeoutMs: t, stallTimeoutMs: t } : undefined;
  return new WharfClient({ home: g.home, limits, offline: g.offline });
}

export function buildProgram(): Command {
  const program = new Command('wharf')
    .description('Find, install, verify and run Extism WebAssembly plugins from signed Wharf registries.')
    .version('0.1.0')
    .option('--home <dir>', 'where Wharf keeps sources, plugins and caches (default: the OS data dir, or $WHARF_HOME)')
    .option('--source <url>', 'limit this run to the configured sources with this alias or URL (repeatable)', collect)
    .option('--json', 'machine-readable output on stdout; errors as {"error":{code,message}}')
    .option('--offline', 'use only the verified cache; never touch the network')
    .option('--yes', 'answer yes to consent prompts (permission changes)')
    .option('--timeout <ms>', 'per-request deadline for index and artifact downloads')
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) });

  const g = () => program.opts<GlobalOpts>();
  const out = () => new Output(Boolean(g().json));

  const source = program.command('source').description('manage the registries Wharf reads from');
  source
    .command('add <alias> <url>')
    .description('add a TUF-signed registry; trust is anchored by the root fingerprint or file')
    .option('--mirror <url>', 'another URL serving the same registry (repeatable, tried in order)', collect)
    .option('--root-sha256 <hex>', "sha256 of the registry's metadata/1.root.json")
    .option('--root-file <path>', "a trusted copy of the registry's 1.root.json")
    .option('--priority <n>', 'lower is tried first', (v) => Number(v))
    .action(
      async (
        alias: string,
        url: string,
        o: { mirror?: string[]; rootSha256?: string; rootFile?: string; priority?: number },
      ) => {
        const s = await client(g()).addSource({
          alias,
          url,
          mirrors: o.mirror,
          rootSha256: o.rootSha256,
          rootFile: o.rootFile,
          priority: o.priority,
        });
        out().result(s, () => [
          `added source ${s.alias} (${s.mirrors.join(', ')})`,
          `root sha256 ${s.root_sha256}`,
          'next: wharf refresh',
        ]);
      },
    );
  source
    .command('list')
    .description('list configured sources')
    .action(() => {
      const cfg = client(g()).sources();
      out().result(cfg, () =>
        cfg.sources.length === 0
          ? 'no sources; add one with `wharf source add <alias> <url> --root-sha256 <hex>`'
          : cfg.sources.map(
              (s) =>
                `${s.alias === (cfg.current ?? cfg.sources[0]?.alias) ? '*' : ' '} ${s.alias}\t${s.type}\tpriority ${s.priority}\t${s.mirrors.join(' ')}`,
            ),
      );
    });
  source
    .command('remove <alias>')
    .description('forget a source, its trusted metadata and cached index')
    .action((alias: string) => {
      client(g()).removeSource(alias);
      out().result({ removed: alias }, () => `removed source ${alias}`);
    });
  source
    .command('use <alias>')
    .description('make a source current: its plugins are addressed by bare id')
    .action((alias: string) => {
      client(g()).useSource(alias);
      out().result({ current: alias }, () => `current source: ${alias}`);
    });

  program
    .command('refresh')
    .description('fetch and verify the signed index of every source')
    .argument('[alias]', 'only this source')
    .action(async (alias?: string) => {
      const r = await client(g()).refresh(alias);
      out().result(r, () => [
        ...r.refreshed.map((x) => `${x.alias}: ${x.plugins} plugins, targets v${x.targetsVersion}, from ${x.mirror}`),
        ...r.failed.map(
          (f) =>
            `${f.alias}: ${f.code} ${f.message}${f.stale_age_ms !== undefined ? `\n  using the last verified index (stale, ${formatAge(f.stale_age_ms)} old)` : ''}`,
        ),
      ]);
      if (r.refreshed.length === 0 && r.failed[0])
        throw new WharfError(r.failed[0].code as never, r.failed[0].message, { failed: r.failed });
    });

  program
    .command('search')
    .description('search the catalog')
    .argument('[query...]', 'words to search for')
    .option('--category <id>', 'only this category')
    .option('--tag <tag>', 'only plugins with this tag')
    .option('--verified', 'only verified plugins')
    .action(async (words: string[], o: { category?: string; tag?: string; verified?: boolean }) => {
      const c = client(g());
      const hits = await c.search(words.join(' '), o);
      out().result(hits, () =>
        hits.length === 0
          ? 'no plugins found'
          : hits.map((h) => `${h.address}@${h.latest}\t${h.verified ? '✓ ' : ''}${h.short_description}`),
      );
    });

  program
    .command('info <id>')
    .description('show a plugin: versions, permissions, exports, signing key')
    .action(async (id: string) => {
      const i = await client(g()).info(id);
      const p = i.plugin;
      out().result(i, () => [
        `${i.address}  ${p.name} — ${p.short_description}`,
        `latest ${p.versions.latest}  licence ${p.license}  author ${p.author.name}  status ${p.status}${p.verified ? '  verified' : ''}`,
        `versions: ${p.releases.map((r) => `${r.version}${r.yanked ? ' (yanked)' : ''}${r.deprecated ? ' (deprecated)' : ''}`).join(', ')}`,
        `exports: ${(p.releases.at(-1)?.exports ?? []).map((e) => e.name).join(', ')}`,
        `keys: ${p.keys.map((k) => `${k.keyid} (${k.status})`).join(', ')}`,
        i.installed ? `installed: ${i.installed.version}` : `install: wharf install ${i.address}`,
      ]);
    });

  program
    .command('install <spec>')
    .description('install <id>[@range]: download, verify sha256 and signature, place atomically, lock')
    .option('--allow-downgrade', 'allow installing a lower version than the installed one')
    .option('--allow-unpinned', 'allow installs from legacy sources whose index pins no hash')
    .action(async (spec: string, o: { allowDowngrade?: boolean }) => {
      const bar = progressBar(spec, Boolean(process.stderr.isTTY) && !g().json);
      const r = await client(g()).install(spec, { allowDowngrade: o.allowDowngrade, onProgress: bar });
      bar.done();
      out().result(r, () =>
        r.status === 'unchanged'
          ? `${r.id}@${r.version} is already installed`
          : `installed ${r.id}@${r.version}${r.previous ? ` (was ${r.previous})` : ''} sha256 ${r.sha256.slice(0, 12)}…${r.fromCache ? ' (from cache)' : ''}`,
      );
    });

  program
    .command('list')
    .description('list installed plugins')
    .action(() => {
      const l = client(g()).list();
      out().result(l, () =>
        l.length === 0
          ? 'no plugins installed'
          : l.map((e) => `${e.id}@${e.version}\t${e.source}\t${e.sha256.slice(0, 12)}`),
      );
    });

  program
    .command('uninstall <id>')
    .description('remove an installed plugin')
    .action((id: string) => {
      const e = client(g()).uninstall(id);
      out().result({ uninstalled: e.id, version: e.version }, () => `uninstalled ${e.id}@${e.version}`);
    });

  program
    .command('verify')
    .description('re-hash every installed plugin against the lockfile')
    .action(() => {
      const r = client(g()).verify();
      out().result(r, () =>
        r.length === 0
          ? 'no plugins installed'
          : r.map((x) => `${x.ok ? 'ok  ' : 'FAIL'} ${x.id}${x.problem ? `: ${x.problem}` : ''}`),
      );
      const bad = r.find((x) => !x.ok);
      if (bad) throw new WharfError('E_LOCK_MISMATCH', `${bad.id}: ${bad.problem}`);
    });

  program
    .command('run <id> <export>')
    .description('run an export of an installed plugin in the Extism sandbox; writes its output bytes to stdout')
    .option('--input <text>', 'input text, or @file to read a file')
    .option('--config <k=v>', 'a config value the plugin declared (repeatable)', collect)
    .action(async (id: string, exp: string, o: { input?: string; config?: string[] }) => {
      const input = o.input?.startsWith('@') ? readFileSync(o.input.slice(1)) : (o.input ?? '');
      const config: Record<string, string> = {};
      for (const kv of o.config ?? []) {
        const eq = kv.indexOf('=');
        if (eq < 1) throw new WharfError('E_USAGE', `--config takes key=value, got "${kv}".`);
        config[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const bytes = await client(g()).run(
        id,
        exp,
        new Uint8Array(input instanceof Uint8Array ? input : Buffer.from(input)),
        { config },
      );
      if (g().json) process.stdout.write(`${JSON.stringify({ output: Buffer.from(bytes).toString('utf8') })}\n`);
      else process.stdout.write(bytes);
    });

  program
    .command('keygen')
    .description('create a minisign key pair for signing plugin releases; prints the paths')
    .option('--out <dir>', 'where to write wharf.pub and wharf.key (default: <home>/keys)')
    .option('--force', 'overwrite an existing pair')
    .action((o: { out?: string; force?: boolean }) => {
      const dir = o.out ?? client(g()).home.keys;
      const k = writeKeyPair(dir, { force: o.force });
      out().result(k, () => [
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
    .action((wasm: string, o: { id: string; version: string; key?: string }) => {
      const key = o.key ?? join(client(g()).home.keys, 'wharf.key');
      const r = signFile(wasm, { id: o.id, version: o.version, secretKeyPath: key });
      out().result(r, () => `wrote ${r.sigPath} (key ${r.keyid}, sha256 ${r.sha256.slice(0, 12)}…)`);
    });

  program.addOption(new Option('--no-color').hideHelp());
  return program;
}

/** The `wharf` entry point: exit 0 on success, 1 when a check failed (with an E_ code), 2 on usage errors. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = new Output(Boolean(program.opts<GlobalOpts>().json)).error(e);
  }
}
