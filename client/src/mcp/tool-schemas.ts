import type { JsonSchemaType } from '@modelcontextprotocol/sdk/validation';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { WharfError } from '@wharf/schemas';

// Tool arguments and structured output are checked with the MCP SDK's own validator (Ajv, the configuration the
// SDK's Client uses on outputSchema), so the server accepts exactly what a client built on the SDK would.
// @wharf/schemas exports no Ajv instance of its own (its one is strict and preloaded with Wharf's schemas).

export type Check = (value: unknown) => { ok: true } | { ok: false; why: string };

const MESSAGE_MAX = 1_000;

/**
 * A validator for one schema read from the lockfile. Each gets its own Ajv: schemas come from different plugins, and
 * a shared instance would let one plugin's `$id` answer for another's. A schema Ajv cannot compile is E_SCHEMA.
 */
export function compileCheck(schema: Record<string, unknown>, what: string): Check {
  let validate: ReturnType<AjvJsonSchemaValidator['getValidator']>;
  try {
    validate = new AjvJsonSchemaValidator().getValidator(schema as JsonSchemaType);
  } catch (e) {
    throw new WharfError('E_SCHEMA', `The ${what} does not compile as JSON Schema: ${(e as Error).message}`);
  }
  return (value) => {
    const r = validate(value);
    if (r.valid) return { ok: true };
    const why = r.errorMessage.length > MESSAGE_MAX ? `${r.errorMessage.slice(0, MESSAGE_MAX)}…` : r.errorMessage;
    return { ok: false, why };
  };
}

/** Compiled checks, kept per key (tool name and the plugin's sha256) so a reinstall recompiles. */
export class CheckCache {
  private readonly checks = new Map<string, Check | WharfError>();

  get(key: string, schema: Record<string, unknown>, what: string): Check {
    let c = this.checks.get(key);
    if (!c) {
      try {
        c = compileCheck(schema, what);
      } catch (e) {
        if (!(e instanceof WharfError)) throw e;
        c = e;
      }
      this.checks.set(key, c);
    }
    if (c instanceof WharfError) throw c;
    return c;
  }

  /** Whether the schema compiles (an outputSchema that does not is not advertised: the SDK Client would throw). */
  compiles(key: string, schema: Record<string, unknown>, what: string): boolean {
    try {
      this.get(key, schema, what);
      return true;
    } catch {
      return false;
    }
  }
}
