import { readFileSync } from 'node:fs';
import { parseJson, readManifest } from '@wharf/schemas';
import type { Command } from 'commander';
import { type AdminCommandContext, EXIT_FAILED, readText } from './context.js';

export function registerScan(ctx: AdminCommandContext): void {
  ctx
    .sub(ctx.program, 'scan')
    .description('static WASM scan (no instantiation): validity, limits, imports, exports, memory, language')
    .argument('<wasm>', 'the plugin binary')
    .option('--manifest <file>', 'plugin.json, to check declared exports and permissions')
    .action(async (wasmPath: string, o: { manifest?: string }, cmd: Command) => {
      const { scanWasm } = await import('@wharf/client');
      const manifest = o.manifest ? readManifest(parseJson(readText(o.manifest, 'manifest'), o.manifest)) : undefined;
      const t0 = performance.now();
      const r = scanWasm(new Uint8Array(readFileSync(wasmPath)), manifest);
      const ms = performance.now() - t0;
      const human = [
        `${wasmPath}: ${r.ok ? 'ok' : 'REFUSED'} (${r.size} bytes, ${r.language}, ${ms.toFixed(1)} ms)`,
        ...r.checks.map((c) => `  ${c.status.padEnd(4)}  ${c.id.padEnd(20)} ${c.message}`),
        // Information only: toolchain exports (TinyGo's malloc, asyncify_*, GHC's hs_init) beside the plugin's own.
        ...(r.runtimeExports.length > 0
          ? [`  info  ${'runtime-exports'.padEnd(20)} ${r.runtimeExports.join(' ')}`]
          : []),
      ].join('\n');
      ctx.out(cmd, human, { ...r, ms });
      if (!r.ok) ctx.setExit(EXIT_FAILED);
    });
}
