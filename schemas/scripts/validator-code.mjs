// The JSON Schema validators, compiled by ajv. At build time this module writes them out as standalone code
// (src/generated/validators.ts, by gen-validators.mjs), so a CLI start neither imports ajv nor compiles a schema;
// the tests compile the same schemas at run time here and check that both agree.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule.default ?? addFormatsModule;
const standaloneCode = standaloneModule.default ?? standaloneModule;
const jsonDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'json');

export const SCHEMA_BASE = 'https://wharf.dev/schemas/';
/** The exported validators: each document kind, and the permissions object on its own. */
export const KINDS = ['manifest', 'registry', 'lockfile', 'sources', 'report', 'submission'];
const PERMISSIONS_ID = `${SCHEMA_BASE}permissions.validator`;

export function loadSchemas() {
  return readdirSync(jsonDir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(jsonDir, f), 'utf8')));
}

/** The ajv instance validate.ts used to build at run time: same options, every schema registered. */
export function createAjv({ source = false, esm = true } = {}) {
  const ajv = new Ajv({
    strict: true,
    allErrors: false,
    verbose: true,
    schemas: loadSchemas(),
    ...(source ? { code: { source: true, esm } } : {}),
  });
  addFormats(ajv);
  ajv.addSchema({ $id: PERMISSIONS_ID, $ref: `${SCHEMA_BASE}defs.schema.json#/definitions/permissions` });
  return ajv;
}

/** Run-time compiled validators by name (the reference the standalone code is tested against). */
export function runtimeValidators() {
  const ajv = createAjv();
  const out = {};
  for (const k of KINDS) out[k] = ajv.getSchema(`${SCHEMA_BASE}${k}.schema.json`);
  out.permissions = ajv.getSchema(PERMISSIONS_ID);
  return out;
}

/**
 * The ES module text. Each validator is ajv standalone code for that schema alone, as the body of a function that
 * is called on the validator's first use: V8 compiles a function only when it is first called, so a command that
 * validates a lockfile compiles its 50 kB of code, not the 300 kB of all of them. As plain code (not a string given
 * to new Function) it is also part of the CLI bundle's V8 code cache. ajv's run-time helpers are imported, not
 * required.
 */
export function validatorModule(banner) {
  const ajv = createAjv({ source: true, esm: false });
  const ids = Object.fromEntries(KINDS.map((k) => [k, `${SCHEMA_BASE}${k}.schema.json`]));
  ids.permissions = PERMISSIONS_ID;
  const specs = [];
  const code = {};
  for (const [name, id] of Object.entries(ids)) {
    const v = ajv.getSchema(id);
    if (!v) throw new Error(`no schema ${id}`);
    code[name] = standaloneCode(ajv, v).replace(/require\("([^"]+)"\)/g, (_, spec) => {
      if (!specs.includes(spec)) specs.push(spec);
      return `require(${JSON.stringify(spec)})`;
    });
  }
  const lines = [
    banner,
    '// @ts-nocheck',
    // Node gives a CommonJS module's exports as the default; bundlers that honour __esModule give its named exports.
    'const __cjs = (ns) => (ns.default && ns.default.__esModule ? ns.default : ns);',
    ...specs.map((s, i) => `import * as __ns${i} from '${s}.js';`),
    // Looked at only when a validator is first compiled: the CLI bundle loads these modules on first use.
    `const __deps = { ${specs.map((s, i) => `${JSON.stringify(s)}: () => __cjs(__ns${i})`).join(', ')} };`,
    'const __require = (spec) => __deps[spec]();',
    'function __lazy(define) {',
    '  let compiled;',
    '  const validate = (data, ctx) => {',
    '    if (!compiled) {',
    '      const module = { exports: {} };',
    '      define(__require, module, module.exports);',
    '      compiled = module.exports;',
    '    }',
    '    const ok = compiled(data, ctx);',
    '    validate.errors = compiled.errors;',
    '    return ok;',
    '  };',
    '  validate.errors = null;',
    '  return validate;',
    '}',
    ...Object.entries(code).map(
      // Pure: a bundle drops the validators it never imports (the CLI keeps its seldom-used ones in a file apart).
      ([name, c]) => `export const ${name} = /* @__PURE__ */ __lazy(function (require, module, exports) {\n${c}\n});`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
