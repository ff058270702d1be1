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
export function createAjv({ source = false } = {}) {
  const ajv = new Ajv({
    strict: true,
    allErrors: false,
    verbose: true,
    schemas: loadSchemas(),
    ...(source ? { code: { source: true, esm: true } } : {}),
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

/** The standalone ES module text: one export per validator, ajv's run-time helpers imported, not required. */
export function validatorModule(banner) {
  const ajv = createAjv({ source: true });
  const refs = Object.fromEntries(KINDS.map((k) => [k, `${SCHEMA_BASE}${k}.schema.json`]));
  refs.permissions = PERMISSIONS_ID;
  let code = standaloneCode(ajv, refs);
  // ajv emits require() for its format and unicode helpers even in ESM mode; make them imports.
  const specs = [];
  code = code.replace(/require\("([^"]+)"\)/g, (_, spec) => {
    let i = specs.indexOf(spec);
    if (i < 0) i = specs.push(spec) - 1;
    return `__dep${i}`;
  });
  // Node gives a CommonJS module's exports as the default; bundlers that honour __esModule give its named exports.
  const interop = 'const __cjs = (ns) => (ns.default && ns.default.__esModule ? ns.default : ns);';
  const imports = specs.map((s, i) => `import * as __ns${i} from '${s}.js';\nconst __dep${i} = __cjs(__ns${i});`);
  return `${banner}\n// @ts-nocheck\n${[interop, ...imports].join('\n')}\n${code}\n`;
}
