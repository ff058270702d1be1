/**
 * How deep outside JSON may nest. Deeper than any Wharf document needs (a registry holding an export's JSON Schema is
 * about 15 levels), shallow enough that every recursive walk after parsing (NFKC, text checks, ajv) stays far from the
 * stack limit. parseJson refuses deeper text; the recursive walks refuse deeper objects handed to them directly.
 */
export const MAX_JSON_DEPTH = 64;
