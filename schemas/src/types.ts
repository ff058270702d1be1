// The contract every package codes against. schemas/json/*.schema.json must describe exactly these shapes;
// the generated types (src/generated/) are checked against them in schemas/test/types.test.ts.

export type PermissionName =
  | 'allowed_hosts'
  | 'allowed_paths'
  | 'config_keys'
  | 'host_functions'
  | 'memory_max_pages'
  | 'timeout_ms'
  | 'wasi';

/** What a plugin may do. Every non-default permission needs a justification. */
export interface Permissions {
  allowed_hosts?: string[]; // hostnames, `*.example.com` allowed
  allowed_paths?: Record<string, string>; // host path -> guest path
  config_keys?: string[];
  host_functions?: string[];
  memory_max_pages?: number; // 64 KiB pages
  timeout_ms?: number;
  wasi?: boolean;
  justifications?: Partial<Record<PermissionName, string>>;
}

export interface ExportSpec {
  name: string;
  description?: string;
  description_zh?: string; // shown on the catalog's Chinese pages
  input_schema?: Record<string, unknown>;
  output_schema?: Record<string, unknown>;
  sample_input?: string; // used by smoke runs and `wharf plugin test`
}

export interface Author {
  name: string;
  github?: string;
  email?: string;
}

export interface Compatibility {
  host?: string; // SemVer range of the Wharf host
  extism_abi?: string; // e.g. "1"
}

/** plugin.json in a plugin repo at its release tag. */
export interface Manifest {
  id: string;
  name: string;
  name_zh?: string;
  version: string;
  description: string;
  description_zh?: string;
  author: Author;
  license: string; // SPDX
  homepage?: string;
  repository?: string;
  category: string;
  tags: string[];
  wasm: string; // asset name, normally "plugin.wasm"
  exports: ExportSpec[];
  permissions: Permissions;
  compatibility?: Compatibility;
  dependencies?: Record<string, string>; // id -> SemVer range
  signing_key?: string; // minisign public key: the base64 line of a .pub file ("RW...")
}

export interface Category {
  id: string;
  name: string;
  name_zh: string;
  description: string;
  icon: string;
}

export interface RepoRef {
  url: string;
  api_url?: string;
  releases_url?: string;
}

export interface SigningKey {
  keyid: string; // 16 hex chars, minisign key id as printed by minisign (big-endian hex of the 8 bytes)
  public_key: string; // base64 line "RW..."
  status: 'active' | 'retired' | 'revoked';
  since: string; // ISO date-time
}

export interface CheckResult {
  id: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  message: string;
}

export interface ReleaseReview {
  issue?: number;
  security_score: number;
  quality_score: number;
  checks: CheckResult[];
  reviewed_at: string;
  tool_version: string;
}

export interface Artifact {
  name: string;
  size: number;
  sha256: string; // lowercase hex
  urls: string[]; // tried in order
}

export interface Release {
  version: string;
  tag: string;
  published_at: string;
  artifact: Artifact;
  minisig: string; // the full text of plugin.wasm.minisig
  keyid: string;
  exports: ExportSpec[];
  permissions: Permissions;
  compatibility?: Compatibility;
  dependencies?: Record<string, string>;
  yanked: boolean;
  yanked_reason?: string;
  deprecated?: string; // reason; present means deprecated
  review?: ReleaseReview;
  readme?: string; // README.md at the tag, at most 65536 characters
}

export type PluginStatus = 'active' | 'deprecated' | 'suspended' | 'removed';

export interface RegistryPlugin {
  plugin_id: string;
  /** The entry's id in a legacy WXAUTO-MGT registry when it had to be rewritten (advanced_dify_platform). */
  legacy_id?: string;
  name: string;
  name_zh?: string;
  short_description: string;
  description: string;
  description_zh?: string;
  category: string;
  tags: string[];
  author: Author;
  license: string;
  homepage?: string;
  repository: { primary: RepoRef; mirror?: RepoRef };
  repo_id?: number;
  owner_id?: number;
  keys: SigningKey[];
  versions: { latest: string; stable: string; minimum_supported: string };
  releases: Release[];
  stats: { downloads: number; stars: number; rating?: number };
  status: PluginStatus;
  replaced_by?: string;
  verified: boolean;
  featured: boolean;
  created_at: string;
  updated_at: string;
  /** What a WXAUTO-MGT entry carried that Wharf has no field for, kept for a lossless export. Never enforced. */
  wxauto?: WxautoExtras;
}

export interface WxautoExtras {
  compatibility?: {
    min_wxauto_version?: string;
    max_wxauto_version?: string;
    python_version?: string;
    supported_os?: string[];
  };
  permissions?: string[];
  dependencies?: string[];
  features?: string[];
  screenshots?: string[];
  demo_video?: string;
  documentation?: string;
  issue_tracker?: string;
  author_website?: string;
  forks?: number;
  rating_count?: number;
  review?: { reviewer: string; review_date: string; security_score: number; quality_score: number; comments: string };
}

/** registry/registry.json: the catalog index, the only TUF target. */
export interface Registry {
  schema_version: 1;
  name: string;
  last_updated: string;
  categories: Category[];
  plugins: RegistryPlugin[];
}

export interface LockEntry {
  id: string; // as addressed: "count-vowels" or "alias:count-vowels" for third-party sources
  source: string; // source alias
  version: string;
  sha256: string;
  size: number;
  keyid: string; // "" for unpinned legacy installs
  public_key?: string; // the "RW..." key the artifact was verified with (a keyid alone can be reused by another key)
  index_version: number; // TUF targets version of the index it was installed from (0 for legacy)
  path: string; // relative to home: plugins/<id>/<version>-<sha12>/plugin.wasm
  permissions: Permissions;
  exports: ExportSpec[];
  installed_at: string;
}

/** <home>/wharf.lock.json */
export interface Lockfile {
  lockfile_version: 1;
  plugins: Record<string, LockEntry>;
}

export interface SourceConfig {
  alias: string;
  type: 'tuf' | 'wxauto';
  mirrors: string[]; // base URLs, first tried first
  priority: number; // lower first
  root_sha256?: string; // sha256 of the trusted 1.root.json (tuf sources)
  last_good?: string; // the mirror that last served a verified index
}

/** <home>/sources.json, and registry/sources.json for the official mirrors. */
export interface SourcesConfig {
  sources_version: 1;
  current?: string; // alias made current by `wharf source use`
  sources: SourceConfig[];
}

/** A plugin-submission issue, parsed and validated. */
export interface Submission {
  plugin_id: string;
  repository: string; // "owner/repo" on GitHub
  gitee_repository?: string; // "owner/repo" on Gitee
  tag: string;
  public_key: string; // minisign public key base64 line
  category: string;
  license: string;
  permissions: Array<{ permission: string; justification: string }>;
  checklist: Record<string, boolean>;
}

/** report.json written by `wharf-admin review`. */
export interface ReviewReport {
  report_version: 1;
  plugin_id: string;
  version: string;
  tag: string;
  repository?: string;
  issue?: number;
  digests: { wasm_sha256: string; wasm_size: number; minisig_sha256: string; manifest_sha256: string };
  keyid: string;
  checks: CheckResult[];
  security_score: number;
  quality_score: number;
  score_formula: string;
  passed: boolean;
  reviewed_at: string;
  tool_version: string;
}
