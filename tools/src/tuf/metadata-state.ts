import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/schemas';
import type { RoleKey, TufRole } from './keys.js';
import { Metadata, MetadataKind, type Root, type Timestamp } from './models.js';
import { metadataDir } from './sign-metadata.js';

/** What is on disk now: the newest version of each role, so the next publish can go one higher. */
export interface MetadataState {
  root: Metadata<Root>;
  rootVersion: number;
  targetsVersion: number; // 0 when never published
  snapshotVersion: number;
  timestampVersion: number;
}

async function highestVersion(dir: string, role: string): Promise<number> {
  const re = new RegExp(`^(\\d+)\\.${role}\\.json$`);
  let max = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = re.exec(name);
    if (m?.[1]) max = Math.max(max, Number(m[1]));
  }
  return max;
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new WharfError('E_IO', `cannot read ${path}: ${(e as Error).message}`, { path });
  }
}

export async function readMetadataState(registryDir: string): Promise<MetadataState> {
  const dir = metadataDir(registryDir);
  const rootVersion = await highestVersion(dir, 'root');
  if (rootVersion === 0) {
    throw new WharfError(
      'E_IO',
      `no metadata/<n>.root.json in ${registryDir}; run \`wharf-admin registry init\` first`,
    );
  }
  const root = Metadata.fromJSON(MetadataKind.Root, (await readJson(join(dir, `${rootVersion}.root.json`))) as never);
  // timestamp.json is authoritative (versioned copies are optional history); fall back to the copies.
  let timestampVersion = await highestVersion(dir, 'timestamp');
  const ts = await readTimestamp(registryDir).catch(() => undefined);
  if (ts) timestampVersion = Math.max(timestampVersion, ts.signed.version);
  return {
    root,
    rootVersion,
    targetsVersion: await highestVersion(dir, 'targets'),
    snapshotVersion: await highestVersion(dir, 'snapshot'),
    timestampVersion,
  };
}

export async function readTimestamp(registryDir: string): Promise<Metadata<Timestamp>> {
  const data = await readJson(join(metadataDir(registryDir), 'timestamp.json'));
  return Metadata.fromJSON(MetadataKind.Timestamp, data as never);
}

/** Refuses to sign with a key the current root does not list for that role: clients would reject it anyway. */
export function assertRootTrusts(
  root: Metadata<Root>,
  roleKey: RoleKey,
  role: TufRole = roleKey.role as TufRole,
): void {
  const trusted = root.signed.roles[role]?.keyIDs ?? [];
  if (!trusted.includes(roleKey.key.keyID)) {
    throw new WharfError(
      'E_INDEX_SIGNATURE',
      `the ${role} key ${roleKey.key.keyID.slice(0, 12)}… is not trusted by root v${root.signed.version} (wrong --keys dir?)`,
      { role, keyid: roleKey.key.keyID },
    );
  }
}
