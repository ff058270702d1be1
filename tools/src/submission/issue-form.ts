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

/**
 * Parses an issue-form body against its form YAML with @github/issue-parser. Refuses (E_TOO_LARGE /
 * E_SUBMISSION_INVALID) bodies over the caps and bodies that repeat a field heading: the parser keeps the last
 * occurrence, so a "### Plugin id" typed inside a textarea could otherwise override the real field.
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
  const template = parseTemplate(formYaml);
  const headings = body.match(/^###[^\S\r\n]*.*$/gm) ?? [];
  if (headings.length > limits.maxFields) {
    throw new WharfError(
      'E_SUBMISSION_INVALID',
      `The issue body has ${headings.length} sections; the form has at most ${limits.maxFields}.`,
    );
  }
  const labels = new Set(Object.values(template).map((f) => f.label));
  const seen = new Set<string>();
  for (const h of headings) {
    const label = h.replace(/^###\s*/, '').trim();
    if (!labels.has(label)) continue;
    if (seen.has(label))
      throw new WharfError('E_SUBMISSION_INVALID', `The field "${label}" appears more than once in the issue body.`);
    seen.add(label);
  }
  const raw = parseIssue(body.replace(/\r\n?/g, '\n'), formYaml);
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
  const template = parseTemplate(formYaml);
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
