// A whole marketplace with no network: a GitHub REST stand-in, two bare git repos as the GitHub and Gitee remotes,
// a bot clone with both remotes, a signed registry made by `registry init`, and the example plugins as releases.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { createGitHub, type GitHub } from '../../src/github/octokit.js';
import { publishSubmissions } from '../../src/publish-bot/publish-submissions.js';
import { initRegistry } from '../../src/registry/init.js';
import { readRegistry } from '../../src/registry/store.js';
import { postReview, runReview } from '../../src/review/run-review.js';
import { renderIssueBody } from '../../src/submission/issue-form.js';
import { BOT, GitHubStub, type StubUser } from './github-stub.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const EXAMPLES = join(REPO_ROOT, 'examples');
export const FORM = readFileSync(join(REPO_ROOT, '.github', 'ISSUE_TEMPLATE', 'plugin-submission.yml'), 'utf8');
export const EXAMPLE_PUB = readFileSync(join(EXAMPLES, 'keys', 'example.pub'), 'utf8');
export const EXAMPLE_KEY_LINE = EXAMPLE_PUB.split('\n')[1]?.trim() ?? '';
export const MARKET = 'wharf/market';
export const MAINTAINER: StubUser = { id: 9001, login: 'maintainer' };
export const STRANGER: StubUser = { id: 6666, login: 'stranger' };

export interface Market {
  root: string;
  stub: GitHubStub;
  gh: GitHub;
  origin: string;
  gitee: string;
  workdir: string;
  keysDir: string;
  rootSha256: string;
  maintainers: Set<number>;
  /** Adds an example plugin as a GitHub (and Gitee) release of `alice/<name>` and returns its repo slug. */
  addExampleRelease(name: string, opts?: { repoId?: number; tag?: string }): string;
  /** Opens a submission issue for an example release; `override` replaces form values. */
  submit(name: string, override?: Record<string, string | string[]>): number;
  /** A fresh clone of the bot's repo (for concurrent publishers). */
  cloneWorkdir(name: string): Promise<string>;
  close(): Promise<void>;
}

export const issueRef = (issue: number) => ({ owner: 'wharf', repo: 'market', issue });

/** What the review workflow does for an issue (static checks, no smoke run): review it and post the sticky comment. */
export async function reviewAndPost(m: Market, issue: number) {
  const { registry } = await readRegistry(join(m.workdir, 'registry'));
  const run = await runReview({
    source: { kind: 'issue', ref: issueRef(issue) },
    formYaml: FORM,
    gh: m.gh,
    registry,
    smoke: 'skip',
  });
  await postReview(m.gh, issueRef(issue), run.report, BOT.login);
  return run.report;
}

/** What the publish workflow does: reconcile every approved submission into both remotes. */
export function publishMarket(m: Market, extra: Partial<Parameters<typeof publishSubmissions>[0]> = {}) {
  return publishSubmissions({
    gh: m.gh,
    repo: MARKET,
    workdir: m.workdir,
    keysDir: m.keysDir,
    maintainers: m.maintainers,
    botLogin: BOT.login,
    formYaml: FORM,
    giteeApi: m.stub.giteeApi,
    ...extra,
  });
}

export async function createMarket(): Promise<Market> {
  const root = mkdtempSync(join(tmpdir(), 'wharf-market-'));
  const stub = await new GitHubStub().start();
  const origin = join(root, 'origin.git');
  const gitee = join(root, 'gitee.git');
  const seed = join(root, 'seed');
  const keysDir = join(root, 'keys');
  mkdirSync(join(seed, '.github', 'ISSUE_TEMPLATE'), { recursive: true });
  writeFileSync(join(seed, '.github', 'ISSUE_TEMPLATE', 'plugin-submission.yml'), FORM);
  const init = await initRegistry(join(seed, 'registry'), { keysDir, name: 'Wharf test market' });
  writeFileSync(join(seed, 'registry', 'MAINTAINERS'), `# id login\n${MAINTAINER.id} ${MAINTAINER.login}\n`);
  await simpleGit().init(true, [origin, '--initial-branch=main']);
  await simpleGit().init(true, [gitee, '--initial-branch=main']);
  const sg = simpleGit(seed);
  await sg.init(['--initial-branch=main']);
  await sg.addConfig('user.name', 'seed').addConfig('user.email', 'seed@example.com');
  await sg.add('.').commit('seed registry');
  await sg.addRemote('origin', origin).push('origin', 'main');
  await sg.push(gitee, 'main');
  const workdir = join(root, 'work');
  await simpleGit().clone(origin, workdir);
  await simpleGit(workdir).addRemote('gitee', gitee);

  let nextRepoId = 100;
  const market: Market = {
    root,
    stub,
    gh: createGitHub({ baseUrl: stub.url, token: 'bot-token', retries: 0, throttle: false }),
    origin,
    gitee,
    workdir,
    keysDir,
    rootSha256: init.rootSha256,
    maintainers: new Set([MAINTAINER.id]),
    addExampleRelease(name, opts = {}) {
      const slug = `alice/${name}`;
      const tag = opts.tag ?? 'v0.1.0';
      const assets = {
        'plugin.wasm': new Uint8Array(readFileSync(join(EXAMPLES, name, 'plugin.wasm'))),
        'plugin.wasm.minisig': new Uint8Array(readFileSync(join(EXAMPLES, name, 'plugin.wasm.minisig'))),
        'plugin.json': new Uint8Array(readFileSync(join(EXAMPLES, name, 'plugin.json'))),
      };
      const existing = stub.repos.get(slug);
      stub.repos.set(slug, {
        id: opts.repoId ?? existing?.id ?? nextRepoId++,
        owner: { id: 7001, login: 'alice' },
        license: 'MIT',
        trees: { ...existing?.trees, [tag]: { 'minisign.pub': EXAMPLE_PUB, 'README.md': `# ${name}\n` } },
        releases: { ...existing?.releases, [tag]: assets },
        gitee: { ...existing?.gitee, [tag]: { ...assets } },
      });
      return slug;
    },
    submit(name, override = {}) {
      const manifest = JSON.parse(readFileSync(join(EXAMPLES, name, 'plugin.json'), 'utf8')) as {
        id: string;
        license: string;
        category: string;
        permissions: { justifications?: Record<string, string>; config_keys?: string[] };
      };
      const perms = Object.entries(manifest.permissions)
        .filter(([k, v]) => k !== 'justifications' && (Array.isArray(v) ? v.length > 0 : v !== undefined))
        .map(([k]) => `${k}: ${manifest.permissions.justifications?.[k] ?? 'needed'}`);
      const body = renderIssueBody(FORM, {
        plugin_id: manifest.id,
        repository: `alice/${name}`,
        gitee_repository: `alice/${name}`,
        tag: 'v0.1.0',
        public_key: EXAMPLE_KEY_LINE,
        category: manifest.category,
        license: manifest.license,
        permissions: perms.length ? perms.join('\n') : 'none',
        checklist: [
          'The release assets were built from the tagged source (reproducible build)',
          'plugin.wasm.minisig was made with `wharf sign` and my key',
          'The repository has a README and a LICENSE file',
          'I agree that maintainers may yank or remove the plugin for security reasons',
        ],
        ...override,
      });
      return stub.openIssue(MARKET, body, { id: 7001, login: 'alice' }); // the repo owner, as in real life
    },
    async cloneWorkdir(name) {
      const dir = join(root, name);
      await simpleGit().clone(origin, dir);
      await simpleGit(dir).addRemote('gitee', gitee);
      return dir;
    },
    async close() {
      await stub.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return market;
}

/** Checks out a bare remote's main branch into a fresh directory (to serve its registry/). */
export async function checkout(bare: string, dir: string): Promise<string> {
  await simpleGit().clone(bare, dir);
  return dir;
}

export function copyExample(name: string, file: string, to: string): void {
  copyFileSync(join(EXAMPLES, name, file), to);
}

export { BOT };
