// Writes registry/registry.json: the three example plugins plus two catalog fixtures whose primary text is
// Chinese. Every entry is real and self-consistent: the fixtures reuse an example's wasm under their own id,
// signed with the public example key with their own binding, so `wharf install` could verify them.
// Run after `npx tsc -b && npm run build -w examples`:  node tools/scripts/seed-registry.mjs
// (It lives with tools, not the site: the catalog only reads registry data and depends on neither tools nor client.)
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signFile } from '@wharf/client';
import { assertRegistry } from '@wharf/schemas';
import { addReleaseFromFiles, emptyRegistry, readRegistry, writeRegistry } from '@wharf/tools';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const examples = join(repo, 'examples');
const key = join(examples, 'keys', 'example.key');
const releases = 'https://github.com/wharf-plugins/wharf/releases/download';
const when = new Date('2026-11-01T00:00:00Z');

const fixtures = [
  {
    from: 'word-stats',
    manifest: {
      id: 'zh-text-stats',
      name: 'Zh Text Stats',
      name_zh: '中文文本统计',
      description:
        'Counts words and characters in Chinese or mixed text; a catalog fixture reusing the word-stats module.',
      description_zh:
        '统计中文或中英混排文本的字数与词数，按 Unicode 码点计算汉字。目录示例插件，复用 word-stats 模块。',
      tags: ['text', 'chinese', 'statistics'],
      category: 'utility',
    },
  },
  {
    from: 'greet',
    manifest: {
      id: 'festival-greeter',
      name: 'Festival Greeter',
      name_zh: '节日问候',
      description: 'Sends a festival greeting such as 新年快乐 to a name; set the greeting with the config key.',
      description_zh: '为名字加上节日祝福，例如「春节快乐，小明！」。通过配置项 greeting 设置祝福语。',
      tags: ['greeting', 'chinese', 'festival'],
      category: 'entertainment',
    },
  },
];

const tmp = mkdtempSync(join(tmpdir(), 'wharf-seed-'));
try {
  await writeRegistry(tmp, { ...emptyRegistry('Wharf', when) });
  for (const folder of ['count-vowels', 'greet', 'word-stats']) {
    const m = JSON.parse(readFileSync(join(examples, folder, 'plugin.json'), 'utf8'));
    await addReleaseFromFiles(tmp, {
      manifestPath: join(examples, folder, 'plugin.json'),
      wasmPath: join(examples, folder, 'plugin.wasm'),
      sigPath: join(examples, folder, 'plugin.wasm.minisig'),
      urls: [`${releases}/${m.id}-v${m.version}/plugin.wasm`],
      // The README the review bot would keep from the repository at the tag (wharf-admin add --readme).
      readmePath: join(examples, folder, 'README.md'),
      now: when,
    });
  }
  for (const f of fixtures) {
    const base = JSON.parse(readFileSync(join(examples, f.from, 'plugin.json'), 'utf8'));
    const manifest = {
      ...base,
      ...f.manifest,
      author: { name: '码头示例', github: 'wharf-plugins' },
      homepage: `https://gitee.com/wharf-plugins/${f.manifest.id}`,
      repository: `https://github.com/wharf-plugins/${f.manifest.id}`,
    };
    const dir = join(tmp, f.manifest.id);
    rmSync(dir, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifest, null, 2));
    copyFileSync(join(examples, f.from, 'plugin.wasm'), join(dir, 'plugin.wasm'));
    signFile(join(dir, 'plugin.wasm'), { id: manifest.id, version: manifest.version, secretKeyPath: key });
    await addReleaseFromFiles(tmp, {
      manifestPath: join(dir, 'plugin.json'),
      wasmPath: join(dir, 'plugin.wasm'),
      sigPath: join(dir, 'plugin.wasm.minisig'),
      urls: [`${releases}/${manifest.id}-v${manifest.version}/plugin.wasm`],
      now: when,
    });
  }
  const { registry } = await readRegistry(tmp);
  // Catalog state a maintainer would set: featured/verified flags, a Gitee mirror and stats.
  const stats = {
    'count-vowels': [1520, 48],
    greet: [830, 21],
    'word-stats': [610, 17],
    'zh-text-stats': [390, 12],
    'festival-greeter': [240, 9],
  };
  for (const p of registry.plugins) {
    p.verified = p.plugin_id !== 'festival-greeter';
    p.featured = ['count-vowels', 'word-stats', 'zh-text-stats'].includes(p.plugin_id);
    const [downloads, stars] = stats[p.plugin_id] ?? [0, 0];
    p.stats = { downloads, stars };
    p.repository.mirror = {
      url: `https://gitee.com/wharf-plugins/${p.plugin_id === 'count-vowels' || p.plugin_id === 'greet' || p.plugin_id === 'word-stats' ? 'wharf' : p.plugin_id}`,
    };
  }
  assertRegistry(registry);
  writeFileSync(join(repo, 'registry', 'registry.json'), `${JSON.stringify(registry, null, 2)}\n`);
  console.log(`wrote registry/registry.json with ${registry.plugins.length} plugins`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
