import { type Checkboxes, parseIssue, parseTemplate } from '@github/issue-parser';
import { WharfError } from '@wharf/schemas';

/** Caps on untrusted issue bodies: checked before the parser's regexes ever see the text. */
export interface IssueFormLimits {
  maxBodyBytes: number;
  maxFields: number;
  maxFieldBytes: number;
}

export const DEFAULT_FORM_LIMITS: IssueFormLimits = { maxBodyBytes: 64 * 1024, maxFields: 40, maxFieldBytes: 8 * 1024 };

export type FormValue = string | string[] | Checkboxes | undefined;

export interface ParsedForm {
  /** field id → machine value: inputs/textareas as text, dropdowns as machine values, checkboxes selected/unselected. */
  fields: Record<string, FormValue>;
}

/**
 * Dropdown/checkbox label → machine value. A trailing "(…)" holding an ASCII token is the value ("Utilities /
 * 实用工具 (utility)" → "utility", "macOS (Darwin)" → "Darwin"); a trailing "(…)" holding prose is a gloss on the value
 * before it (WXAUTO's "ai_platform (AI平台)" → "ai_platform", "network.http (HTTP网络访问)" → "network.http").
 */
export function machineValue(option: string): string {
  const t = option.trim();
  const m = /^(.*?)\s*\(([^()]+)\)$/.exec(t);
  if (!m) return t;
  const inner = (m[2] as string).trim();
  return /^[A-Za-z0-9_.:-]+$/.test(inner) ? inner : (m[1] as string).trim();
}

// The form YAML is the repo's own file, parsed once per process rather than once per body (the YAML parse costs more
// than the body's).
let lastTemplate: { yaml: string; fields: ReturnType<typeof parseTemplate> } | undefined;
function templateOf(formYaml: string): ReturnType<typeof parseTemplate> {
  if (lastTemplate?.yaml !== formYaml) lastTemplate = { yaml: formYaml, fields: parseTemplate(formYaml) };
  return lastTemplate.fields;
}

/**
 * The form's own labels are the only section headings. GitHub writes each as the line `### <label>`; the parser
 * (@github/issue-parser) is looser: it ends a value at the next `###` wherever it stands, mid-line or indented, then
 * reads a known label after it as that field, and drops the text after any other `###` that a heading follows. So a
 * value holding `### GitHub repository` would be read as that field, and `alice/c###x` as `alice/c`, while GitHub
 * shows both as text inside the field. Every `###` must therefore be a whole `### <label>` line, once per label.
 */
function checkSections(body: string, labels: ReadonlySet<string>): void {
  const seen = new Set<string>();
  for (const m of body.matchAll(/###/g)) {
    const at = m.index;
    const lineStart = at === 0 || body[at - 1] === '\n';
    const lineEnd = body.indexOf('\n', at);
    const line = body.slice(lineStart ? at : body.lastIndexOf('\n', at) + 1, lineEnd === -1 ? undefined : lineEnd);
    const label = line.trimEnd().slice(4);
    if (!lineStart || !line.startsWith('### ') || !labels.has(label)) {
      const smuggled = [...labels].find((l) => new RegExp(`###[ \\t]*${escapeRegExp(l)}`).test(line));
      throw new WharfError(
        'E_SUBMISSION_INVALID',
        smuggled === undefined
          ? `The issue body has "###" inside a field's text (${JSON.stringify(line.slice(0, 80))}); only the form's own headings may hold it.`
          : `The issue body has "### ${smuggled}" inside another field's text (${JSON.stringify(line.slice(0, 80))}); only the form's own headings may start a section.`,
      );
    }
    if (seen.has(label))
      throw new WharfError('E_SUBMISSION_INVALID', `The field "${label}" appears more than once in the issue body.`);
    seen.add(label);
  }
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Parses an issue-form body against its form YAML with @github/issue-parser. Refuses (E_TOO_LARGE /
 * E_SUBMISSION_INVALID) bodies over the caps, and any body whose sections the parser could read differently from the
 * form GitHub shows (checkSections): a repeated heading, or `###` typed inside a field's value.
 */
export function parseIssueForm(
  body: string,
  formYaml: string,
  limits: IssueFormLimits = DEFAULT_FORM_LIMITS,
): ParsedForm {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > limits.maxBodyBytes) {
    throw new WharfError(
      'E_TOO_LARGE',
      `The issue body is ${bytes} bytes; submissions are capped at ${limits.maxBodyBytes}.`,
    );
  }
  const template = templateOf(formYaml);
  const text = body.replace(/\r\n?/g, '\n');
  const headings = text.match(/###/g)?.length ?? 0;
  if (headings > limits.maxFields) {
    throw new WharfError(
      'E_SUBMISSION_INVALID',
      `The issue body has ${headings} sections; the form has at most ${limits.maxFields}.`,
    );
  }
  checkSections(text, new Set(Object.values(template).map((f) => f.label)));
  const raw = parseIssue(text, formYaml);
  for (const [id, field] of Object.entries(template)) {
    const v = raw[id];
    if (typeof v === 'string' && Buffer.byteLength(v, 'utf8') > limits.maxFieldBytes) {
      throw new WharfError('E_TOO_LARGE', `The field "${field.label}" is over ${limits.maxFieldBytes} bytes.`);
    }
  }
  const fields: Record<string, FormValue> = {};
  for (const [id, field] of Object.entries(template)) {
    const v = raw[id];
    if (field.type === 'dropdown') fields[id] = Array.isArray(v) ? v.map(machineValue) : [];
    else if (field.type === 'checkboxes') {
      const c = (v ?? { selected: [], unselected: [] }) as Checkboxes;
      fields[id] = { selected: c.selected.map(machineValue), unselected: c.unselected.map(machineValue) };
    } else fields[id] = typeof v === 'string' ? v : undefined;
    // A textarea answered "None" reads as empty in issue-parser, so only inputs and dropdowns are held to `required`.
    if (
      field.required &&
      field.type !== 'textarea' &&
      (fields[id] === undefined || (Array.isArray(fields[id]) && fields[id].length === 0))
    ) {
      throw new WharfError('E_SUBMISSION_INVALID', `The required field "${field.label}" is empty.`);
    }
  }
  return { fields };
}

/**
 * What GitHub writes into an issue body when a form is submitted ("### Label", blank line, the value or
 * "_No response_", checkboxes as "- [X] label"). Tests and docs build submissions with it.
 */
export function renderIssueBody(formYaml: string, values: Record<string, string | string[] | undefined>): string {
  const template = templateOf(formYaml);
  const parts: string[] = [];
  for (const [id, field] of Object.entries(template)) {
    const v = values[id];
    let text: string;
    if (field.type === 'checkboxes') {
      const chosen = new Set(Array.isArray(v) ? v : v ? [v] : []);
      text = (field.options ?? [])
        .map((o) => (typeof o === 'string' ? o : o.label))
        .map((label) => `- [${chosen.has(label) || chosen.has(machineValue(label)) ? 'X' : ' '}] ${label}`)
        .join('\n');
    } else if (field.type === 'dropdown') {
      const opts = (field.options ?? []).map(String);
      const list = (Array.isArray(v) ? v : v ? [v] : []).map((x) => opts.find((o) => machineValue(o) === x) ?? x);
      text = list.length ? list.join(', ') : '_No response_';
    } else text = typeof v === 'string' && v !== '' ? v : '_No response_';
    parts.push(`### ${field.label}\n\n${text}`);
  }
  return `${parts.join('\n\n')}\n`;
}
