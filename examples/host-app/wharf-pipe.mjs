#!/usr/bin/env node
// wharf-pipe: a small text tool built on the public @wharf/client host API. It pipes stdin through a chain
// of plugin exports and writes the last output to stdout:
//
//   echo "Ada" | wharf-pipe --home ./wharf greet:greet count-vowels:count_vowels     ->  {"count":4}
//
// Options:
//   --home <dir>                  Wharf home (default: $WHARF_HOME or the OS data dir)
//   --source <alias>=<url>#<root-sha256>   trust and use a registry (repeatable)
//   --install <id[@range]>        install (or update within range) before running (repeatable)
//   --update                      update every installed plugin first
//   --health                      print the per-plugin health report as JSON on stderr at the end
//
// Exit codes follow `wharf`: 0 success, 1 a refusal or plugin error (its E_ code on stderr), 2 usage.
import { parseArgs } from 'node:util';

// Extism's Node build loads node:wasi, which warns on every start; as in the wharf CLI, that is noise here.
await import('@wharf/client/quiet-wasi-warning');
const { createHost } = await import('@wharf/client');

const USAGE =
  'usage: wharf-pipe [--home dir] [--source a=url#sha] [--install id@range] [--update] [--health] <id>:<export>...';

function usage(message) {
  process.stderr.write(`wharf-pipe: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      home: { type: 'string' },
      source: { type: 'string', multiple: true, default: [] },
      install: { type: 'string', multiple: true, default: [] },
      update: { type: 'boolean', default: false },
      health: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (e) {
  usage(e.message);
}

if (args.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const stages = args.positionals.map((s) => {
  const i = s.lastIndexOf(':');
  if (i < 1 || i === s.length - 1) usage(`a stage is <plugin-id>:<export>, got "${s}"`);
  return { id: s.slice(0, i), exportName: s.slice(i + 1) };
});
if (stages.length === 0) usage('give at least one <plugin-id>:<export> stage');

const sources = args.values.source.map((s) => {
  const m = s.match(/^([a-z][a-z0-9-]*)=(.+)#([0-9a-f]{64})$/);
  if (!m) usage(`--source takes <alias>=<url>#<root-sha256>, got "${s}"`);
  return { alias: m[1], url: m[2], rootSha256: m[3] };
});

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return new Uint8Array(Buffer.concat(chunks));
}

let host;
try {
  host = await createHost({ home: args.values.home, sources });
  for (const spec of args.values.install) await host.install(spec);
  if (args.values.update) await host.update();
  let data = await readStdin();
  for (const { id, exportName } of stages) {
    const plugin = await host.load(id);
    data = await plugin.call(exportName, data);
  }
  process.stdout.write(data);
  if (args.values.health) process.stderr.write(`${JSON.stringify(host.health(), null, 2)}\n`);
} catch (e) {
  process.stderr.write(`error ${e?.code ?? 'E_IO'}: ${e?.message ?? String(e)}\n`);
  process.exitCode = 1;
} finally {
  await host?.close();
}
