// Large Wharf registries for the site bench: the Obsidian community catalog (~6.9k real names and
// descriptions, DESIGN §9's realistic case) and synthetic ones of any size. Entries carry full releases
// (hashes, signatures) so registry.json is realistic; the site must keep those out of its search index.
//   node bench/site/registry-gen.mjs obsidian <out.json>
//   node bench/site/registry-gen.mjs synthetic <count> <out.json> [--readmes]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CATEGORIES, idCollisionKey, isSemver, isValidId } from '@wharf/schemas';

const OBSIDIAN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', 'registries');
const sha = (s) => createHash('sha256').update(s).digest();
const hex = (s) => sha(s).toString('hex');

// C0/C1 controls and bidi controls are refused by the schemas; real-world text sometimes has them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const clean = (s, max) => {
  const t = String(s ?? '')
    .normalize('NFKC')
    .replace(UNSAFE, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
};

/** A valid, unique Wharf id from any string. */
function idMaker() {
  const seen = new Set();
  return (raw) => {
    let id = String(raw)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[^a-z]+/, '')
      .replace(/-+$/, '')
      .slice(0, 60)
      .replace(/-+$/, '');
    if (id.length < 3) id = `plugin-${id || 'x'}`.replace(/-+$/, '');
    let candidate = id;
    for (let n = 2; seen.has(idCollisionKey(candidate)) || !isValidId(candidate); n++) candidate = `${id}-${n}`;
    seen.add(idCollisionKey(candidate));
    return candidate;
  };
}

const CATEGORY_WORDS = [
  ['ai_platform', /\b(ai|gpt|llm|openai|chatgpt|claude|ollama|gemini|copilot|embedding)/i],
  ['integration', /\b(sync|api|github|notion|zotero|todoist|google|calendar|import|export|publish|anki|readwise)/i],
  ['automation', /\b(automat|template|task|workflow|schedul|macro|batch|auto)/i],
  ['entertainment', /\b(game|fun|music|spotify|pomodoro|emoji|theme|pet|quote)/i],
];
const category = (text) => CATEGORY_WORDS.find(([, re]) => re.test(text))?.[0] ?? 'utility';

const STOP = new Set(
  'about after again also an and any are as at be been but by can for from has have into is it its more most not of on or other over plugin plugins obsidian so some such than that the their then there these this to use used uses using via was when which while will with within without you your'.split(
    ' ',
  ),
);
const tagsOf = (text) => [
  ...new Set((text.toLowerCase().match(/[a-z][a-z0-9-]{3,20}/g) ?? []).filter((w) => !STOP.has(w) && !w.endsWith('-'))),
];

/** A fake but well-formed minisign public key / signature, derived from a seed. */
function keyFor(seed) {
  const raw = Buffer.concat([Buffer.from('Ed'), sha(`key:${seed}`).subarray(0, 8), sha(`pk:${seed}`)]);
  return { keyid: raw.subarray(2, 10).reverse().toString('hex'), public_key: raw.toString('base64') };
}
const minisig = (id, version, digest) =>
  `untrusted comment: signature from minisign secret key\n${Buffer.concat([
    sha(`s1:${id}${version}`),
    sha(`s2:${id}${version}`),
    sha(`s3:${id}`),
  ])
    .subarray(0, 74)
    .toString(
      'base64',
    )}\ntrusted comment: wharf1 id=${id} version=${version} sha256=${digest}\n${Buffer.concat([sha(`g1:${id}${version}`), sha(`g2:${id}${version}`)]).toString('base64')}\n`;

/**
 * One registry entry.
 * @param {{ id: string, name: string, description: string, description_zh?: string, name_zh?: string,
 *   owner: string, repo: string, versions: string[], deprecated?: string[], downloads: number,
 *   updated: string, category: string, tags: string[], featured?: boolean, verified?: boolean }} e
 */
export function entry(e) {
  const key = keyFor(e.id);
  const releases = e.versions.map((version, i) => {
    const digest = hex(`${e.id}@${version}`);
    return {
      version,
      tag: `v${version}`,
      published_at: new Date(Date.parse(e.updated) - (e.versions.length - 1 - i) * 86_400_000 * 20).toISOString(),
      artifact: {
        name: 'plugin.wasm',
        size: 20_000 + (sha(digest).readUInt32BE(0) % 2_000_000),
        sha256: digest,
        urls: [`https://github.com/${e.owner}/${e.repo}/releases/download/${version}/plugin.wasm`],
      },
      minisig: minisig(e.id, version, digest),
      keyid: key.keyid,
      exports: [{ name: 'run', description: 'Entry point.' }],
      permissions: { justifications: {} },
      compatibility: { host: '>=0.1.0', extism_abi: '1' },
      yanked: false,
      ...(e.readme && i === e.versions.length - 1 ? { readme: e.readme } : {}),
      ...(e.deprecated?.includes(version) ? { deprecated: 'Superseded by a later release.' } : {}),
    };
  });
  const latest = e.versions.at(-1) ?? '0.0.0';
  const repoUrl = `https://github.com/${e.owner}/${e.repo}`;
  return {
    plugin_id: e.id,
    name: e.name,
    ...(e.name_zh ? { name_zh: e.name_zh } : {}),
    short_description: clean(e.description, 140) || e.name,
    description: e.description,
    ...(e.description_zh ? { description_zh: e.description_zh } : {}),
    category: e.category,
    tags: e.tags.slice(0, 5),
    author: { name: e.owner.slice(0, 100), github: e.owner },
    license: 'MIT',
    homepage: repoUrl,
    repository: {
      primary: {
        url: repoUrl,
        api_url: `https://api.github.com/repos/${e.owner}/${e.repo}`,
        releases_url: `${repoUrl}/releases`,
      },
    },
    keys: [
      { keyid: key.keyid, public_key: key.public_key, status: 'active', since: releases[0]?.published_at ?? e.updated },
    ],
    versions: { latest, stable: latest, minimum_supported: e.versions[0] ?? latest },
    releases,
    stats: { downloads: e.downloads, stars: Math.floor(e.downloads / 100) },
    status: 'active',
    verified: e.verified ?? false,
    featured: e.featured ?? false,
    created_at: releases[0]?.published_at ?? e.updated,
    updated_at: e.updated,
  };
}

const registry = (name, plugins) => ({
  schema_version: 1,
  name,
  last_updated: new Date('2026-11-22T00:00:00Z').toISOString(),
  categories: DEFAULT_CATEGORIES,
  plugins,
});

/** The Obsidian community catalog as a Wharf registry (shared/data/registries/obsidian, see its README). */
export function obsidianRegistry() {
  const dir = join(OBSIDIAN, 'obsidian');
  const list = JSON.parse(readFileSync(join(dir, 'community-plugins.json'), 'utf8'));
  const stats = JSON.parse(readFileSync(join(dir, 'community-plugin-stats.json'), 'utf8'));
  const deprecation = JSON.parse(readFileSync(join(dir, 'community-plugin-deprecation.json'), 'utf8'));
  const makeId = idMaker();
  const plugins = list.map((p) => {
    const s = stats[p.id] ?? {};
    const versions = Object.keys(s)
      .filter((v) => isSemver(v))
      .slice(-5);
    const text = `${p.name} ${p.description}`;
    const [owner = 'unknown', repo = 'unknown'] = String(p.repo).split('/');
    return entry({
      id: makeId(p.id),
      name: clean(p.name, 100) || p.id,
      description: clean(p.description, 2000),
      owner: /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(owner) ? owner : 'unknown',
      repo: repo.replace(/[^A-Za-z0-9._-]/g, '-'),
      versions: versions.length > 0 ? versions : ['1.0.0'],
      deprecated: deprecation[p.id],
      downloads: Number(s.downloads ?? 0),
      updated: new Date(Number(s.updated ?? Date.parse('2024-01-01'))).toISOString(),
      category: category(text),
      tags: tagsOf(p.description).slice(0, 3),
    });
  });
  const top = new Set(
    [...plugins]
      .sort((a, b) => b.stats.downloads - a.stats.downloads)
      .slice(0, 12)
      .map((p) => p.plugin_id),
  );
  for (const p of plugins) p.featured = p.verified = top.has(p.plugin_id);
  return registry('Obsidian community plugins (Wharf bench)', plugins);
}

// Synthetic text: a small deterministic vocabulary, so sizes and query costs scale like a real catalog.
const NOUNS =
  'markdown note table image link calendar task todo tag folder file pdf csv json yaml chart graph timer clock weather news email invoice ticket issue commit diff log metric alert cache queue message chat prompt token vector embedding search index sitemap feed thumbnail audio video subtitle font color theme icon emoji quote poem recipe budget expense stock crypto map route address phone contact meeting agenda snippet regex template macro'.split(
    ' ',
  );
const VERBS =
  'formats converts counts extracts summarizes translates validates renders exports imports syncs tracks schedules highlights sorts filters merges splits compresses encrypts signs checks lints previews generates cleans'.split(
    ' ',
  );
const ADJ = 'fast tiny simple smart secure offline batch live minimal flexible structured plain rich'.split(' ');
const ZH_NOUNS =
  '笔记 表格 图片 链接 日历 任务 标签 文件夹 文件 图表 计时器 天气 新闻 邮件 发票 日志 消息 聊天 模板 字幕 字体 颜色 主题 图标 诗词 菜谱 预算 地图 联系人 会议'.split(
    ' ',
  );
const ZH_VERBS =
  '格式化 转换 统计 提取 总结 翻译 校验 导出 导入 同步 跟踪 排序 过滤 合并 拆分 压缩 加密 生成 清理 预览'.split(' ');

function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** A README of about 3 KB (headings, list, table, a TypeScript block, links, an image), as authors write them. */
function readmeFor(name, id, n1, n2, v) {
  return [
    `# ${name}`,
    '',
    `${name} ${v} ${n1} and ${n2} data. It runs in the Wharf host with no network access unless the manifest says so.`,
    '',
    '![screenshot](docs/screenshot.png)',
    '',
    '## Install',
    '',
    '```sh',
    `wharf install ${id}`,
    '```',
    '',
    '## Usage',
    '',
    `Call the \`run\` export with a JSON object. The plugin reads \`${n1}\` and \`${n2}\` fields and returns the result.`,
    '',
    '```ts',
    `import { createWharf } from '@wharf/client';`,
    '',
    'const wharf = await createWharf();',
    `const out = await wharf.run('${id}', 'run', JSON.stringify({ ${n1}: 'a', ${n2}: 42 }));`,
    'console.log(JSON.parse(out));',
    '```',
    '',
    '## Options',
    '',
    '| Option | Type | Default | Meaning |',
    '| --- | --- | --- | --- |',
    `| \`${n1}\` | string | \`""\` | The ${n1} to read. |`,
    `| \`${n2}\` | number | \`0\` | How many ${n2} items to keep. |`,
    '| `strict` | boolean | `false` | Fail on unknown fields instead of ignoring them. |',
    '',
    '## Notes',
    '',
    `- Works offline; ${n1} data never leaves the host.`,
    `- Large ${n2} inputs are processed in chunks of 64 KiB.`,
    '- Errors are returned as `{ "error": "..." }`, never thrown across the boundary.',
    '- See [the changelog](CHANGELOG.md) and [the issue tracker](https://github.com/example/issues).',
    '',
    '## License',
    '',
    'MIT. Contributions welcome: open a pull request with a test.',
    '',
  ].join('\n');
}

/**
 * `count` synthetic plugins; about 10% have Chinese names and descriptions. With `readmes`, every latest release
 * carries a ~3 KB README, which the site renders (the costliest part of a plugin page).
 */
export function syntheticRegistry(count, seed = 42, { readmes = false } = {}) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const makeId = idMaker();
  const plugins = [];
  for (let i = 0; i < count; i++) {
    const [n1, n2, v, a] = [pick(NOUNS), pick(NOUNS), pick(VERBS), pick(ADJ)];
    const name = `${a[0].toUpperCase()}${a.slice(1)} ${n1} ${n2}`;
    const description = `${v[0].toUpperCase()}${v.slice(1)} ${n1} and ${n2} data in the host app. ${pick(ADJ)} ${pick(NOUNS)} support with ${pick(NOUNS)} output; works offline.`;
    const zh = r() < 0.1;
    const [zn, zv] = [pick(ZH_NOUNS), pick(ZH_VERBS)];
    const majors = 1 + Math.floor(r() * 3);
    const versions = Array.from(
      { length: 1 + Math.floor(r() * 4) },
      (_, k) => `${majors}.${k}.${Math.floor(r() * 10)}`,
    );
    const downloads = Math.floor(r() ** 4 * 500_000);
    const id = makeId(`${n1}-${n2}-${v}-${i.toString(36)}`);
    plugins.push(
      entry({
        id,
        name,
        ...(zh
          ? { name_zh: `${zn}${zv}`, description_zh: `${zv}${zn}与${pick(ZH_NOUNS)}，支持离线使用和批量处理。` }
          : {}),
        description,
        owner: `dev${Math.floor(r() * count)}`,
        repo: `${n1}-${n2}`,
        versions,
        downloads,
        updated: new Date(Date.parse('2026-11-01') - Math.floor(r() * 900) * 86_400_000).toISOString(),
        category: pick(DEFAULT_CATEGORIES).id,
        tags: [n1, n2, a],
        featured: i < 12,
        verified: r() < 0.3,
        ...(readmes ? { readme: readmeFor(name, id, n1, n2, v) } : {}),
      }),
    );
  }
  return registry(`Synthetic ${count}`, plugins);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const readmes = args.includes('--readmes');
  const [kind, a, b] = args.filter((x) => x !== '--readmes');
  const reg = kind === 'obsidian' ? obsidianRegistry() : syntheticRegistry(Number(a), 42, { readmes });
  const out = kind === 'obsidian' ? a : b;
  if (!out) throw new Error('usage: registry-gen.mjs obsidian <out.json> | synthetic <count> <out.json> [--readmes]');
  writeFileSync(out, JSON.stringify(reg));
  console.log(`${out}: ${reg.plugins.length} plugins`);
}
