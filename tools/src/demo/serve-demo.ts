import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type StaticServer, startStaticServer } from '../serve/static-server.js';
import { buildDemoRegistry, type DemoRegistry } from './demo-registry.js';

export interface ServedDemo {
  root: string;
  reg: DemoRegistry;
  server: StaticServer;
  /** Stops the server and removes `root`. */
  close(): Promise<void>;
}

/**
 * A freshly signed registry of the example plugins in `root`, served on 127.0.0.1 with the artifacts beside it
 * at `/artifacts/`. The artifacts are a copy, so tests and benches can tamper with them without touching examples/.
 */
export async function serveDemoRegistry(opts: {
  examplesDir: string;
  root: string;
  only?: string[];
}): Promise<ServedDemo> {
  const { root } = opts;
  cpSync(opts.examplesDir, join(root, 'artifacts'), { recursive: true, filter: (s) => !s.includes('node_modules') });
  mkdirSync(join(root, 'registry'));
  const server = await startStaticServer(join(root, 'registry'), {
    port: 0,
    mounts: { '/artifacts/': join(root, 'artifacts') },
  });
  const reg = await buildDemoRegistry({
    dir: join(root, 'registry'),
    examplesDir: join(root, 'artifacts'),
    artifactBaseUrl: `${server.url}/artifacts`,
    only: opts.only,
  });
  return {
    root,
    reg,
    server,
    async close() {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
