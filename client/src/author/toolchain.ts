// The npm packages a generated plugin project builds and tests with, pinned to exact versions with their
// registry integrity. The generated project ships a package-lock.json built from this table, so:
//  - authors and their release workflow (`npm ci`) get byte-identical toolchains, and
//  - `npm ci --offline` works wherever these tarballs are in the npm cache (e.g. after `npm ci` of this
//    repo, which uses the same versions; client/test/author checks this table against package-lock.json).
// A lockfile is what makes offline work: without one npm needs the registry's package documents, which
// `npm ci` never caches.

export interface ToolPackage {
  name: string;
  version: string;
  integrity: string;
  /** Declared dependencies, as the package's own package.json has them. */
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  license: string;
}

export const TOOL_PACKAGES: Record<string, ToolPackage> = {
  wabt: {
    name: 'wabt',
    version: '1.0.39',
    integrity: 'sha512-ba+dRL/75VQQY7RkU/CgriGbkoWAfS8TDyUlJfJhJ8KhtXgMl5dhNvoPNUcQ9IWRhW8u41glMSuZeTvsYq2rRg==',
    license: 'Apache-2.0',
    bin: {
      'wasm-decompile': 'bin/wasm-decompile',
      'wasm-interp': 'bin/wasm-interp',
      'wasm-objdump': 'bin/wasm-objdump',
      'wasm-stats': 'bin/wasm-stats',
      'wasm-strip': 'bin/wasm-strip',
      'wasm-validate': 'bin/wasm-validate',
      wasm2c: 'bin/wasm2c',
      wasm2wat: 'bin/wasm2wat',
      wat2wasm: 'bin/wat2wasm',
    },
  },
  '@extism/extism': {
    name: '@extism/extism',
    version: '2.0.0-rc13',
    integrity: 'sha512-iQ3mrPKOC0WMZ94fuJrKbJmMyz4LQ9Abf8gd4F5ShxKWa+cRKcVzk0EqRQsp5xXsQ2dO3zJTiA6eTc4Ihf7k+A==',
    license: 'BSD-3-Clause',
  },
  assemblyscript: {
    name: 'assemblyscript',
    version: '0.28.20',
    integrity: 'sha512-5PM7GZpvcLypHcLmi30aP8mqm5HjU+LL3BdV1xDyA3USGtL2w+iMiUnhtH+vW8+2kOuHlAyPu7M+QgyEw5he1g==',
    license: 'Apache-2.0',
    dependencies: { binaryen: '131.0.0-nightly.20260721', long: '^5.2.4' },
    bin: { asc: 'bin/asc.js', asinit: 'bin/asinit.js' },
    engines: { node: '>=20', npm: '>=10' },
  },
  binaryen: {
    name: 'binaryen',
    version: '131.0.0-nightly.20260721',
    integrity: 'sha512-AAQIkhfbYXh4FBObwBrlO+5L+6Rp6OOMOjh6AdT0M+GLNLyrwKWgtW+EzmizNgx9CWDfTJPfDtKoZi62QESbtg==',
    license: 'Apache-2.0',
    bin: {
      'wasm-as': 'bin/wasm-as',
      'wasm-ctor-eval': 'bin/wasm-ctor-eval',
      'wasm-dis': 'bin/wasm-dis',
      'wasm-merge': 'bin/wasm-merge',
      'wasm-metadce': 'bin/wasm-metadce',
      'wasm-opt': 'bin/wasm-opt',
      'wasm-reduce': 'bin/wasm-reduce',
      'wasm-shell': 'bin/wasm-shell',
      wasm2js: 'bin/wasm2js',
    },
  },
  long: {
    name: 'long',
    version: '5.3.2',
    integrity: 'sha512-mNAgZ1GmyNhD7AuqnTG3/VQ26o760+ZYBPKjPvugO8+nLbYfX6TVpJPseBvopbdY+qpZ/lKUnmEc1LeZYS3QAA==',
    license: 'Apache-2.0',
  },
  '@extism/as-pdk': {
    name: '@extism/as-pdk',
    version: '1.0.0',
    integrity: 'sha512-sD5xQskoOWoSeH73HltP7rJXR/E5nk1BTne8bmHdCxqMLUR0n/L1KdmRsPdl7XqNnJj2Anvs9QN0sJ+b+6K05g==',
    license: 'BSD-3-Clause',
  },
};

export type PluginLang = 'wat' | 'assemblyscript';

/** Direct devDependencies per language; the lockfile adds their own dependencies. */
export const LANG_TOOLS: Record<PluginLang, string[]> = {
  wat: ['wabt', '@extism/extism'],
  assemblyscript: ['assemblyscript', '@extism/as-pdk', '@extism/extism'],
};

function tarballUrl(p: ToolPackage): string {
  const base = p.name.includes('/') ? (p.name.split('/')[1] as string) : p.name;
  return `https://registry.npmjs.org/${p.name}/-/${base}-${p.version}.tgz`;
}

/** Every package the language needs, its dependencies included (they're all in TOOL_PACKAGES). */
export function toolClosure(lang: PluginLang): ToolPackage[] {
  const seen = new Map<string, ToolPackage>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const p = TOOL_PACKAGES[name];
    if (!p) throw new Error(`toolchain table lacks ${name}`);
    seen.set(name, p);
    for (const d of Object.keys(p.dependencies ?? {})) visit(d);
  };
  for (const n of LANG_TOOLS[lang]) visit(n);
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function devDependencies(lang: PluginLang): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of [...LANG_TOOLS[lang]].sort()) out[n] = (TOOL_PACKAGES[n] as ToolPackage).version;
  return out;
}

/** A lockfileVersion 3 package-lock.json for a generated project. */
export function packageLock(name: string, version: string, lang: PluginLang): Record<string, unknown> {
  const packages: Record<string, unknown> = {
    '': { name, version, license: 'MIT', devDependencies: devDependencies(lang) },
  };
  for (const p of toolClosure(lang)) {
    packages[`node_modules/${p.name}`] = {
      version: p.version,
      resolved: tarballUrl(p),
      integrity: p.integrity,
      dev: true,
      license: p.license,
      ...(p.dependencies ? { dependencies: p.dependencies } : {}),
      ...(p.bin ? { bin: p.bin } : {}),
      ...(p.engines ? { engines: p.engines } : {}),
    };
  }
  return { name, version, lockfileVersion: 3, requires: true, packages };
}
