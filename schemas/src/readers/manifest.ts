// readManifest: native plugin.json, WXAUTO-MGT plugin.json and Extism-demo plugin.json → a validated Manifest.
import { DEFAULT_CATEGORIES, DEFAULT_CATEGORY } from '../categories.js';
import { type DocumentKind, detectKind } from '../detect.js';
import { WharfError } from '../errors.js';
import type { ExportSpec, Manifest } from '../types.js';
import { assertManifest } from '../validate.js';
import {
  deepNormalize,
  httpsUrl,
  isCjk,
  isRecord,
  str,
  toAuthor,
  toSemver,
  toTags,
  toWharfId,
  truncate,
} from './legacy-values.js';
import { mapWxautoPermissions } from './wxauto-permissions.js';

export type ManifestKind = Extract<DocumentKind, 'manifest' | 'wxauto-manifest' | 'extismx-manifest'>;

export interface ManifestReading {
  manifest: Manifest;
  kind: ManifestKind;
  /** What a legacy mapping had to drop or guess, one sentence each; empty for native manifests. */
  notes: string[];
}

const EXPORT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

function legacyId(raw: unknown, what: string): string {
  const s = str(raw);
  const id = s === undefined ? undefined : toWharfId(s);
  if (id === undefined) {
    throw new WharfError('E_ID_INVALID', `${what} ${JSON.stringify(raw)} cannot be turned into a valid plugin id.`);
  }
  return id;
}

function legacyVersion(raw: unknown, notes: string[]): string {
  const v = toSemver(raw);
  if (v === undefined) {
    throw new WharfError('E_SCHEMA', `version ${JSON.stringify(raw)} is not a SemVer version.`, {
      problems: [{ path: '/version', code: 'E_SCHEMA', message: 'not a SemVer version' }],
    });
  }
  if (v !== raw) notes.push(`version "${String(raw)}" read as ${v}`);
  return v;
}

function setNames(m: Manifest, name: string, description: string): void {
  // Chinese text also fills the *_zh fields, so the zh pages show it without falling back.
  if (isCjk(name)) m.name_zh = name;
  if (isCjk(description)) m.description_zh = description;
}

function fromWxauto(x: Record<string, unknown>, notes: string[]): Manifest {
  // str(), not String(): a JSON object such as {"toString": null} cannot be turned into a string.
  const name = truncate(str(x.name) ?? str(x.plugin_id) ?? '', 100);
  const description = truncate(str(x.description) ?? '', 10000);
  const configSchema =
    isRecord(x.config_schema) && isRecord(x.config_schema.properties) ? x.config_schema.properties : undefined;
  const perms = Array.isArray(x.permissions) ? x.permissions.filter((p): p is string => typeof p === 'string') : [];
  const mapped = mapWxautoPermissions(perms, configSchema ? { configKeys: Object.keys(configSchema) } : {});
  const category = str(x.category);
  const known = category !== undefined && DEFAULT_CATEGORIES.some((c) => c.id === category);
  const m: Manifest = {
    id: legacyId(x.plugin_id, 'WXAUTO-MGT plugin_id'),
    name,
    version: legacyVersion(x.version, notes),
    description,
    author: toAuthor(x.author),
    license: str(x.license) ?? 'NOASSERTION',
    category: known ? category : DEFAULT_CATEGORY,
    tags: toTags(x.tags),
    // WXAUTO plugins are Python packages; the Wharf build of one ships the conventional asset name.
    wasm: 'plugin.wasm',
    exports: [],
    permissions: mapped.permissions,
  };
  setNames(m, name, description);
  if (m.id !== x.plugin_id) notes.push(`id ${JSON.stringify(x.plugin_id)} rewritten to "${m.id}"`);
  if (category !== undefined && !known) notes.push(`category "${category}" unknown, using "${DEFAULT_CATEGORY}"`);
  const homepage = httpsUrl(x.homepage);
  if (homepage) m.homepage = homepage;
  else if (x.homepage !== undefined) notes.push(`homepage ${JSON.stringify(x.homepage)} dropped: not https`);
  const repo =
    httpsUrl(x.repository) ??
    (homepage && /^https:\/\/(github\.com|gitee\.com)\//.test(homepage) ? homepage : undefined);
  if (repo) m.repository = repo;
  const minHost = toSemver(x.min_wxauto_version);
  if (minHost) notes.push(`min_wxauto_version ${minHost} is a WXAUTO-MGT version, not a Wharf host range; dropped`);
  if (mapped.unsupported.length > 0)
    notes.push(`permissions with no Wharf equivalent dropped: ${mapped.unsupported.join(', ')}`);
  if (mapped.unknown.length > 0) notes.push(`unknown permissions dropped: ${mapped.unknown.join(', ')}`);
  if (Array.isArray(x.dependencies) && x.dependencies.length > 0) notes.push('Python dependencies dropped');
  if (str(x.entry_point))
    notes.push(`Python entry point ${String(x.entry_point)} has no Wharf meaning; exports are empty`);
  return m;
}

function schemaFromFields(fields: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(fields) || fields.length === 0) return undefined;
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const f of fields) {
    if (!isRecord(f)) continue;
    const name = str(f.name);
    if (name === undefined) continue;
    const type = str(f.type);
    properties[name] = type && JSON_TYPES.has(type) ? { type } : {};
    if (f.optional !== true) required.push(name);
  }
  return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
}

function extismExports(raw: unknown, notes: string[]): ExportSpec[] {
  if (!Array.isArray(raw)) return [];
  const out: ExportSpec[] = [];
  for (const e of raw) {
    const name = typeof e === 'string' ? e : isRecord(e) ? str(e.name) : undefined;
    if (name === undefined || !EXPORT_NAME.test(name)) {
      notes.push(`export ${JSON.stringify(e)} dropped: no usable name`);
      continue;
    }
    const spec: ExportSpec = { name };
    if (isRecord(e)) {
      const description = str(e.description);
      if (description) spec.description = truncate(description, 2000);
      // Extism-demo lists named inputs/outputs; as JSON Schemas they describe the export's JSON input and output.
      const input = schemaFromFields(e.inputs);
      const output = schemaFromFields(e.outputs);
      if (input) spec.input_schema = input;
      if (output) spec.output_schema = output;
    }
    out.push(spec);
  }
  return out;
}

function wasmName(raw: unknown, notes: string[]): string {
  if (typeof raw === 'string') raw = [{ path: raw }];
  if (!Array.isArray(raw) || raw.length === 0) return 'plugin.wasm';
  const first = raw[0];
  const path = isRecord(first) ? str(first.path) : undefined;
  const base = path?.split('/').pop();
  if (raw.length > 1) notes.push(`only the first of ${raw.length} wasm modules kept`);
  if (base && /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.wasm$/.test(base)) return base;
  notes.push(`wasm ${JSON.stringify(first)} unusable, using plugin.wasm`);
  return 'plugin.wasm';
}

function fromExtismx(x: Record<string, unknown>, notes: string[]): Manifest {
  const name = truncate(str(x.name) ?? '', 100);
  const description = truncate(str(x.description) ?? '', 10000);
  const m: Manifest = {
    id: legacyId(x.name, 'Extism-demo name'),
    name,
    version: legacyVersion(x.version, notes),
    description,
    author: toAuthor(x.author),
    license: str(x.license) ?? 'NOASSERTION',
    category: DEFAULT_CATEGORY,
    tags: toTags(x.keywords ?? x.tags),
    wasm: wasmName(x.wasm, notes),
    exports: extismExports(x.exports, notes),
    permissions: {},
  };
  setNames(m, name, description);
  const homepage = httpsUrl(x.homepage);
  if (homepage) m.homepage = homepage;
  const repository = httpsUrl(x.repository);
  if (repository) m.repository = repository;
  if (str(x.language)) notes.push(`language "${String(x.language)}" dropped`);
  return m;
}

/** Reads any supported manifest shape and returns it validated, with notes on what a legacy mapping lost. */
export function readManifestWithNotes(x: unknown): ManifestReading {
  const kind = detectKind(x);
  const input = deepNormalize(x);
  const notes: string[] = [];
  if (!isRecord(input) || (kind !== 'manifest' && kind !== 'wxauto-manifest' && kind !== 'extismx-manifest')) {
    throw new WharfError(
      'E_SCHEMA',
      kind === undefined
        ? 'Not a plugin manifest: the document matches no known format.'
        : `Not a plugin manifest: this looks like a ${kind}.`,
      { kind },
    );
  }
  const mapped =
    kind === 'manifest' ? input : kind === 'wxauto-manifest' ? fromWxauto(input, notes) : fromExtismx(input, notes);
  return { manifest: assertManifest(mapped), kind, notes };
}

/** Native, WXAUTO-MGT or Extism-demo plugin.json → a validated native Manifest (throws WharfError). */
export function readManifest(x: unknown): Manifest {
  return readManifestWithNotes(x).manifest;
}
