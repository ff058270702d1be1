import { resolve } from 'node:path';
import { jsonHelp, terminalOutput } from '@wharf/client/cli-help';
import { writeErr, writeOut } from '@wharf/client/cli-output';
import { isWharfError, WharfError } from '@wharf/schemas';
import { Command, CommanderError, Option } from 'commander';
import { registerBotCommands } from './commands/register-bot-commands.js';
import { GuardedWriter } from './workflow-command-guard.js';

/** Where output goes; tests pass collectors, the bin uses the process streams. */
export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Resolves when `serve` should stop (default: SIGINT/SIGTERM). */
  untilStopped?: () => Promise<void>;
}

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function waitForSignal(): Promise<void> {
  return new Promise((ok) => {
    process.once('SIGINT', () => ok());
    process.once('SIGTERM', () => ok());
  });
}

// Each command imports what it runs (TUF signing, the static server, the validators) when it runs, so that
// `--help` and the other commands don't load it.
function buildProgram(io: CliIo, setExit: (code: number) => void, wantsJson = false): Command {
  const program = new Command('wharf-admin')
    .description('Maintain a Wharf registry: edit the catalog, sign TUF metadata, validate documents, serve locally')
    .option('--json', 'machine-readable output; errors as {"error":{"code","message"}}')
    .exitOverride()
    .configureOutput(output(io, wantsJson));
  // The help's width and colours without creating the process streams; subcommands copy the program's output
  // settings when they are made, so this one wrapper serves them all.
  program.configureOutput(terminalOutput(program));

  const json = (cmd: Command): boolean => Boolean(cmd.optsWithGlobals().json);
  const out = (cmd: Command, human: string, machine: unknown): void => {
    io.stdout.write(json(cmd) ? `${JSON.stringify(machine, null, 2)}\n` : `${human}\n`);
  };
  // Every subcommand inherits the override and the output routing.
  const sub = (parent: Command, name: string): Command =>
    parent.command(name).exitOverride().configureOutput(output(io, wantsJson));

  const registry = sub(program, 'registry').description('create registries');
  sub(registry, 'init')
    .description('create a registry dir with dev TUF keys, then publish it once')
    .argument('<dir>', 'registry directory (must be absent or empty)')
    .option('--keys <dir>', 'private keys dir (default: <parent>/<basename>.keys/, outside the published tree)')
    .option('--name <text>', 'registry display name', 'Wharf registry')
    .action(async (dir: string, o: { keys?: string; name: string }, cmd: Command) => {
      const { initRegistry } = await import('../registry/init.js');
      const r = await initRegistry(dir, { ...(o.keys ? { keysDir: o.keys } : {}), name: o.name });
      out(
        cmd,
        [
          `Initialized registry in ${r.registryDir}`,
          `Private keys (mode 0600; keep them out of Git and off the web): ${r.keysDir}`,
          ...r.keyFiles.map((f) => `  ${f}`),
          `Root metadata: ${r.rootPath}`,
          `Root sha256: ${r.rootSha256}`,
          `  pin it with: wharf source add <alias> <url> --root-sha256 ${r.rootSha256}`,
        ].join('\n'),
        r,
      );
    });

  sub(program, 'add')
    .description(
      'append a verified, immutable release (monolithic: does not re-sign, run publish; sharded: signed at once)',
    )
    .argument('<dir>', 'registry directory')
    .requiredOption('--manifest <file>', 'plugin.json')
    .requiredOption('--wasm <file>', 'the plugin binary')
    .requiredOption('--sig <file>', 'its minisign signature (.minisig)')
    .requiredOption('--url <artifact-url>', 'where clients download the wasm (repeatable, tried in order)', collect, [])
    .option('--tag <tag>', 'release tag (default v<version>)')
    .option('--readme <file>', 'README.md to keep with the release (UTF-8, at most 65536 characters)')
    .action(
      async (
        dir: string,
        o: { manifest: string; wasm: string; sig: string; url: string[]; tag?: string; readme?: string },
        cmd: Command,
      ) => {
        const { addReleaseFromFiles } = await import('../registry/add-release.js');
        const r = await addReleaseFromFiles(dir, {
          manifestPath: o.manifest,
          wasmPath: o.wasm,
          sigPath: o.sig,
          urls: o.url,
          ...(o.tag ? { tag: o.tag } : {}),
          ...(o.readme ? { readmePath: o.readme } : {}),
        });
        const release = r.plugin.releases.at(-1);
        out(
          cmd,
          r.changed
            ? `Added ${r.plugin.plugin_id}@${release?.version} (sha256 ${release?.artifact.sha256}). ${
                // A sharded registry is signed by add itself; a monolithic one by publish.
                r.published
                  ? `Signed at once (sharded): ${r.published.bins.join(', ')}, snapshot v${r.published.snapshotVersion}, timestamp v${r.published.timestampVersion}.`
                  : `Run \`wharf-admin publish ${dir}\` to sign it.`
              }`
            : `${r.plugin.plugin_id} already has this exact release; registry.json unchanged.`,
          {
            changed: r.changed,
            plugin_id: r.plugin.plugin_id,
            versions: r.plugin.versions,
            ...(r.published ? { published: r.published } : {}),
          },
        );
      },
    );

  sub(program, 'publish')
    .description('sign registry.json as the next TUF targets/snapshot/timestamp versions')
    .argument('<dir>', 'registry directory')
    .option('--keys <dir>', 'private keys dir (default: <parent>/<basename>.keys/)')
    .action(async (dir: string, o: { keys?: string }, cmd: Command) => {
      const [{ publishRegistry }, { defaultKeysDir }] = await Promise.all([
        import('../tuf/publish.js'),
        import('../tuf/keys.js'),
      ]);
      const r = await publishRegistry(dir, { keysDir: o.keys ?? defaultKeysDir(dir) });
      out(
        cmd,
        `Published registry.json (sha256 ${r.registrySha256}, ${r.registryLength} bytes): targets v${r.targetsVersion}, snapshot v${r.snapshotVersion}, timestamp v${r.timestampVersion}`,
        r,
      );
    });

  sub(program, 'resign-timestamp')
    .description('issue a new timestamp version with a fresh 7-day expiry')
    .argument('<dir>', 'registry directory')
    .option('--keys <dir>', 'private keys dir (default: <parent>/<basename>.keys/)')
    .action(async (dir: string, o: { keys?: string }, cmd: Command) => {
      const [{ resignTimestamp }, { defaultKeysDir }] = await Promise.all([
        import('../tuf/publish.js'),
        import('../tuf/keys.js'),
      ]);
      const r = await resignTimestamp(dir, { keysDir: o.keys ?? defaultKeysDir(dir) });
      out(cmd, `Timestamp v${r.timestampVersion} (snapshot v${r.snapshotVersion}), expires ${r.expires}`, r);
    });

  sub(program, 'check-expiry')
    .description('fail (E_INDEX_EXPIRING / E_INDEX_EXPIRED) when the signed metadata expires within --within')
    .argument('<dir>', 'registry directory')
    .option('--within <duration>', 'how much life the metadata must have left: 2d, 36h, 90m', '2d')
    .action(async (dir: string, o: { within: string }, cmd: Command) => {
      const { assessExpiry, formatDuration, parseWithin, readExpiry } = await import('../tuf/expiry-check.js');
      const report = await readExpiry(dir, new Date(), parseWithin(o.within));
      let refusal: WharfError | undefined;
      try {
        assessExpiry(report);
      } catch (e) {
        if (!isWharfError(e)) throw e;
        refusal = e;
      }
      // The table is printed either way, so the monitor's log (and the issue it opens) shows every role's expiry.
      const table = report.roles
        .map(
          (r) =>
            `${r.role.padEnd(9)} v${r.version}  expires ${r.expires}  (${r.remaining_ms > 0 ? `in ${formatDuration(r.remaining_ms)}` : 'EXPIRED'})`,
        )
        .join('\n');
      out(cmd, table, { ...report, ...(refusal ? { error: { code: refusal.code, message: refusal.message } } : {}) });
      if (refusal) {
        if (!json(cmd)) io.stderr.write(`error ${refusal.code}: ${refusal.message}\n`);
        setExit(EXIT.failed);
      }
    });

  sub(program, 'serve')
    .description('serve a registry dir read-only over HTTP (a local source, also used by npm start)')
    .argument('<dir>', 'registry directory')
    .addOption(new Option('--port <n>', 'port (0 = random)').default(8080).argParser(parsePort))
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .action(async (dir: string, o: { port: number; host: string }, cmd: Command) => {
      const { startStaticServer } = await import('../serve/static-server.js');
      const server = await startStaticServer(resolve(dir), { port: o.port, host: o.host }).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        throw new WharfError(
          'E_USAGE',
          `port ${o.port} on ${o.host} is already in use; pick another with --port <n>, or --port 0 for any free one.`,
        );
      });
      out(cmd, `Serving ${resolve(dir)} at ${server.url}/  (source URL; Ctrl-C to stop)`, { url: server.url });
      await (io.untilStopped ?? waitForSignal)();
      await server.close();
    });

  sub(program, 'validate')
    .description('validate a manifest, registry, report or submission (kind detected by content)')
    .argument('<file>', 'JSON file')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const { validateFile } = await import('../validate/validate-file.js');
      const r = await validateFile(file);
      if (json(cmd)) {
        io.stdout.write(`${JSON.stringify({ kind: r.kind, problems: r.problems }, null, 2)}\n`);
      } else {
        io.stdout.write(
          `${file}: ${r.kind}, ${r.problems.length === 0 ? 'valid' : `${r.problems.length} problem(s)`}\n`,
        );
        for (const p of r.problems) io.stdout.write(`${p.path || '/'}  ${p.code}  ${p.message}\n`);
      }
      if (r.problems.length > 0) setExit(EXIT.failed);
    });

  registerBotCommands({ program, io, sub, out, json, setExit });
  // `--json --help`: one document, as `wharf` prints it.
  if (wantsJson) jsonHelp(program);
  return program;
}

/**
 * Commander's own messages are reported by report() as one `error E_USAGE: …` line, like every other failure,
 * so it prints none itself; help and --version still go out.
 */
const output = (io: CliIo, json: boolean) => ({
  writeOut: (s: string) => io.stdout.write(s),
  // Under --json the help printed for a missing command would come beside the error document.
  writeErr: (s: string) => (json ? true : io.stderr.write(s)),
  outputError: () => {},
});

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new WharfError('E_USAGE', `invalid port ${JSON.stringify(v)}`);
  return n;
}

/** Runs the CLI. Sets process.exitCode (never calls process.exit, so output flushes) and returns the code. */
export async function main(
  argv: string[],
  // Straight to fds 1 and 2: creating process.stdout/stderr loads Node's stream machinery (~2 ms of a start).
  io: CliIo = { stdout: { write: writeOut }, stderr: { write: writeErr } },
): Promise<number> {
  let code: number = EXIT.ok;
  const wantsJson = argv.includes('--json');
  // Submission text reaches this output; in Actions it must not be read as workflow commands (`::add-mask::` …).
  const stdout = new GuardedWriter(io.stdout);
  const stderr = new GuardedWriter(io.stderr);
  const guarded: CliIo = { ...io, stdout, stderr };
  const program = buildProgram(
    guarded,
    (c) => {
      code = c;
    },
    wantsJson,
  );
  try {
    await program.parseAsync(argv);
  } catch (e) {
    code = report(e, guarded, wantsJson);
  } finally {
    stdout.flush();
    stderr.flush();
  }
  process.exitCode = code;
  return code;
}

function report(e: unknown, io: CliIo, json: boolean): number {
  if (e instanceof CommanderError) {
    // Help and --version are successes; a missing subcommand printed its command's help already.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT.ok;
    if (e.code === 'commander.help' && !json) return EXIT.usage;
    const message =
      e.code === 'commander.help'
        ? 'a command is needed; see `wharf-admin --help`.'
        : `${e.message
            .replace(/^error: /, '')
            .replace(/\s*\n\(Did you mean (.+)\?\)\s*$/s, ' (did you mean $1?)')
            .trim()}; see \`wharf-admin --help\`.`;
    if (json) io.stdout.write(`${JSON.stringify({ error: { code: 'E_USAGE', message } })}\n`);
    else io.stderr.write(`error E_USAGE: ${message}\n`);
    return EXIT.usage;
  }
  const err = isWharfError(e)
    ? e
    : new WharfError('E_IO', e instanceof Error ? e.message : String(e), {
        ...(e instanceof Error && 'code' in e ? { cause: String((e as NodeJS.ErrnoException).code) } : {}),
      });
  if (json) io.stdout.write(`${JSON.stringify({ error: { code: err.code, message: err.message } })}\n`);
  else io.stderr.write(`error ${err.code}: ${err.message}\n`);
  return err.code === 'E_USAGE' ? EXIT.usage : EXIT.failed;
}
