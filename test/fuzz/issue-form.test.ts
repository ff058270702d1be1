// Issue bodies from outside: the Wharf submission form, the key-rotation form and the WXAUTO-MGT form, parsed by
// tools/src/submission. Bodies are rendered the way GitHub renders a form and then edited, or are random text.
import { parseIssueForm, parseSubmission, renderIssueBody } from '@wharf/tools';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { nastyString } from './json-mutations.js';
import { fuzz } from './only-wharf-errors.js';
import { FUZZ_TIMEOUT_MS } from './run-budget.js';
import { readText, sharedText } from './samples.js';

const FORM = readText('.github', 'ISSUE_TEMPLATE', 'plugin-submission.yml');
const ROTATION = readText('.github', 'ISSUE_TEMPLATE', 'key-rotation.yml');
const WXAUTO = sharedText('wxauto', 'plugin_submission.issue-form.yml');
const KEY = readText('examples', 'keys', 'example.pub').split('\n')[1]?.trim() ?? '';

interface FormField {
  id?: string;
  type: string;
  attributes: { label?: string; options?: Array<string | { label: string }> };
}
const fieldsOf = (yaml: string) => (parseYaml(yaml) as { body: FormField[] }).body.filter((f) => f.type !== 'markdown');
const labelsOf = (yaml: string) => fieldsOf(yaml).map((f) => f.attributes.label ?? '');

/** Text a field value may hold: nasty strings, and other fields' headings smuggled in every way the parser allows. */
const valueText = (labels: string[]) =>
  fc.oneof(
    nastyString,
    fc
      .tuple(
        fc.constantFrom(...labels),
        fc.constantFrom('', ' ', '  ', '\t', '\n', '\n   ', ' x '),
        fc.constantFrom('', ' ', '\n\nalice/other'),
      )
      .map(([label, before, after]) => `note${before}### ${label}${after}`),
    fc.constantFrom('none', 'None', '_No response_', '- [X] x', 'allowed_hosts: calls api.example.com', '####', '###'),
  );

/** A body GitHub could render for `yaml`, with good values where the generator says so and edited values elsewhere. */
function renderedBody(yaml: string, good: Record<string, string | string[]>) {
  const fields = fieldsOf(yaml);
  const labels = labelsOf(yaml);
  const values = fc.record(
    Object.fromEntries(
      fields
        .filter((f) => f.id)
        .map((f) => {
          const options = (f.attributes.options ?? []).map((o) => (typeof o === 'string' ? o : o.label));
          const id = f.id as string;
          const goodValue = good[id];
          // Mostly the good value, so most bodies get past the first refusal and reach the later checks.
          const choices: fc.WeightedArbitrary<string | string[] | undefined>[] = [
            { arbitrary: valueText(labels), weight: 1 },
            { arbitrary: fc.constant(undefined), weight: 1 },
          ];
          if (goodValue !== undefined) choices.push({ arbitrary: fc.constant(goodValue), weight: 12 });
          if (options.length) choices.push({ arbitrary: fc.subarray(options), weight: 1 });
          return [id, fc.oneof(...choices)];
        }),
    ),
  );
  return values.map((v) => renderIssueBody(yaml, v as Record<string, string | string[] | undefined>));
}

/** Splices random text (headings, line breaks, checkbox marks) into a body at random places. */
const edited = (bodies: fc.Arbitrary<string>, labels: string[]) =>
  fc
    .tuple(
      bodies,
      fc.array(fc.tuple(fc.nat(), valueText(labels), fc.constantFrom('insert', 'cut', 'crlf')), { maxLength: 3 }),
    )
    .map(([body, edits]) =>
      edits.reduce((b, [at, text, op]) => {
        const i = b.length === 0 ? 0 : at % b.length;
        if (op === 'cut') return b.slice(0, i);
        if (op === 'crlf') return b.replaceAll('\n', '\r\n');
        return `${b.slice(0, i)}${text}${b.slice(i)}`;
      }, body),
    );

const GOOD: Record<string, string | string[]> = {
  plugin_id: 'count-vowels',
  repository: 'alice/count-vowels',
  gitee_repository: 'https://gitee.com/alice/count-vowels',
  tag: 'v0.1.0',
  public_key: KEY,
  category: 'utility',
  license: 'MIT',
  permissions: 'none',
  checklist: ['The repository has a README and a LICENSE file'],
};

/** The body split only at whole `### <label>` lines: the sections a reader of the rendered issue sees. */
function visibleSections(body: string, labels: string[]): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  let text: string[] = [];
  for (const line of body.replace(/\r\n?/g, '\n').split('\n')) {
    const label = labels.find((l) => line.trimEnd() === `### ${l}`);
    if (label !== undefined) {
      if (current !== undefined) out.set(current, text.join('\n').trim());
      current = label;
      text = [];
    } else text.push(line);
  }
  if (current !== undefined) out.set(current, text.join('\n').trim());
  return out;
}

/** parseSubmission, plus the steering property: an accepted submission names the repository the reader sees. */
function submission(body: string): void {
  const s = parseSubmission(body, FORM);
  const shown = visibleSections(body, labelsOf(FORM)).get('GitHub repository') ?? '';
  const slug = shown.replace(/^https:\/\/github\.com\//, '').replace(/(?:\.git)?\/?$/, '');
  if (slug !== s.repository) throw new Error(`the body shows ${JSON.stringify(shown)} but parsed ${s.repository}`);
}

describe('fuzz: issue forms', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const labels = labelsOf(FORM);
  it('submission bodies rendered from edited values', () => fuzz(renderedBody(FORM, GOOD), submission));
  it('submission bodies with text spliced in anywhere', () =>
    fuzz(edited(renderedBody(FORM, GOOD), labels), submission));
  it('random text as a submission body', () => fuzz(fc.string({ unit: 'binary', maxLength: 3000 }), submission));
  it('key-rotation bodies', () =>
    fuzz(edited(renderedBody(ROTATION, { plugin_id: 'count-vowels', new_public_key: KEY }), labelsOf(ROTATION)), (b) =>
      parseIssueForm(b, ROTATION),
    ));
  it.skipIf(WXAUTO === undefined)('WXAUTO-MGT submission bodies', () => {
    const form = WXAUTO as string;
    fuzz(edited(renderedBody(form, {}), labelsOf(form)), (b) => parseIssueForm(b, form));
  });
});
