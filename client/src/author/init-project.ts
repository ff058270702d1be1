import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { idProblem, validateManifest, WharfError } from '@wharf/schemas';
import { fsyncDir, TEMP_MARK } from '../fs/atomic-write.js';
import { formatPublicKey, parsePublicKey } from '../signing/index.js';
import {
  GITIGNORE,
  lockJson,
  manifest,
  mitLicense,
  PLACEHOLDER_AUTHOR,
  PLACEHOLDER_OWNER,
  packageJson,
  readme,
  releaseWorkflow,
  sourceFiles,
  type TemplateInput,
  testFile,
} from './templates.js';
import type { PluginLang } from './toolchain.js';

export interface InitOptions {
  lang?: PluginLang;
  id?: string;
  name?: string;
  /** GitHub owner of the plugin's repo (used for homepage/repository). */
  owner?: string;
  author?: string;
  /** plugin.json's description (default: a placeholder sentence that `plugin submit` refuses). */
  description?: string;
  /** A .pub file path or its base64 line; omitted from plugin.json when not given. */
  signingKey?: string;
}

export interface InitResult {
  dir: string;
  id: string;
  lang: PluginLang;
  files: string[];
  signingKey?: string;
}

export const LANGS: readonly PluginLang[] = ['wat', 'assemblyscript'];

/**
 * Write a new plugin project into `dir` (absent or empty). Everything is written into a temp dir beside it
 * and renamed into place, so a failure leaves no half-made project behind.
 */
export function initProject(dir: string, opts: InitOptions = {}): InitResult {
  const target = resolve(dir);
  const lang = opts.lang ?? 'wat';
  if (!LANGS.includes(lang))
    throw new WharfError('E_USAGE', `--lang must be one of ${LANGS.join(', ')}, got ${JSON.stringify(lang)}.`);
  const id = opts.id ?? target.split(/[\\/]/).at(-1) ?? '';
  const why = idProblem(id);
  if (why) throw new WharfError('E_ID_INVALID', `${JSON.stringify(id)} can't be a plugin id: ${why}. Pass --id.`);
  if (existsSync(target) && readdirSync(target).length > 0)
    throw new WharfError('E_USAGE', `${target} is not empty; plugin init only writes into a new or empty directory.`);

  const t: TemplateInput = {
    id,
    name:
      opts.name ??
      id.replace(/(^|-)([a-z0-9])/g, (_m, dash: string, c: string) => `${dash ? ' ' : ''}${c.toUpperCase()}`),
    lang,
    owner: opts.owner ?? PLACEHOLDER_OWNER,
    author: opts.author ?? opts.owner ?? PLACEHOLDER_AUTHOR,
    ...(opts.description ? { description: opts.description } : {}),
    signingKey: opts.signingKey ? readSigningKey(opts.signingKey) : undefined,
  };
  const m = manifest(t);
  const v = validateManifest(m);
  if (!v.ok) {
    const p = v.problems[0];
    throw new WharfError(p?.code ?? 'E_SCHEMA', `The generated plugin.json would be invalid: ${p?.message}.`, {
      problems: v.problems,
    });
  }
  const files: Record<string, string> = {
    ...sourceFiles(t),
    'plugin.json': json(m),
    'package.json': json(packageJson(t)),
    'package-lock.json': json(lockJson(t)),
    'test/plugin.test.mjs': testFile(),
    'README.md': readme(t),
    '.gitignore': GITIGNORE,
    '.github/workflows/release.yml': releaseWorkflow(),
    LICENSE: mitLicense(t.author),
  };
  // The review bot requires the signing key in the repository at the tag, as minisign.pub.
  if (t.signingKey) files['minisign.pub'] = formatPublicKey(parsePublicKey(t.signingKey));

  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const stage = mkdtempSync(join(parent, `${TEMP_MARK}init.${process.pid}.`));
  try {
    for (const [rel, text] of Object.entries(files)) {
      const p = join(stage, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
    // rename(2) replaces an empty directory, so an existing empty target is fine too.
    renameSync(stage, target);
    fsyncDir(parent);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return { dir: target, id, lang, files: Object.keys(files).sort(), signingKey: t.signingKey };
}

function readSigningKey(spec: string): string {
  const text = spec.startsWith('RW') ? spec : readFileSync(spec, 'utf8');
  return parsePublicKey(text).base64;
}

const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;
