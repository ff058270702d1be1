import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type SourceConfig, type SourcesConfig, WharfError } from '@wharf/schemas';

/** registry/sources.json of this repo: the marketplace's official GitHub and Gitee mirrors. */
export function officialSourcesPath(): string {
  return (
    process.env.WHARF_OFFICIAL_SOURCES ?? fileURLToPath(new URL('../../../registry/sources.json', import.meta.url))
  );
}

/** The official source entry (by alias, else the file's current one), for `wharf source add <alias> --official`. */
export function officialSource(alias: string, path = officialSourcesPath()): SourceConfig {
  if (!existsSync(path)) {
    throw new WharfError('E_USAGE', `No official sources list at ${path}; give the source URL instead of --official.`);
  }
  const cfg = JSON.parse(readFileSync(path, 'utf8')) as SourcesConfig;
  const s =
    cfg.sources.find((x) => x.alias === alias) ?? cfg.sources.find((x) => x.alias === cfg.current) ?? cfg.sources[0];
  if (s?.type !== 'tuf' || s.mirrors.length === 0) {
    throw new WharfError('E_USAGE', `${path} lists no signed source with mirrors.`);
  }
  return s;
}
