import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkboxes } from '@github/issue-parser';
import { checkId, type Submission, validateSubmission, WharfError } from '@wharf/schemas';
import { DEFAULT_FORM_LIMITS, type IssueFormLimits, parseIssueForm } from './issue-form.js';

const REPO_SLUG = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/** The submission form shipped in this repo (.github/ISSUE_TEMPLATE/plugin-submission.yml). */
export function submissionFormPath(repoRoot: string): string {
  return join(repoRoot, '.github', 'ISSUE_TEMPLATE', 'plugin-submission.yml');
}

export function readSubmissionForm(repoRoot: string): string {
  return readFileSync(submissionFormPath(repoRoot), 'utf8');
}

/**
 * Accepts "owner/repo", or a URL of it on the field's own host (github.com for the GitHub field, gitee.com for the
 * Gitee one); returns "owner/repo" or throws. A gitee.com URL in the GitHub field would otherwise be read as the
 * GitHub repository of the same name, which may belong to someone else.
 */
export function repoSlug(raw: string, field: string, host: 'github.com' | 'gitee.com'): string {
  const trimmed = raw.trim();
  const url = /^[a-z][a-z0-9+.-]*:/i.test(trimmed) || trimmed.startsWith('//');
  const prefix = `https://${host}/`;
  if (url && !trimmed.startsWith(prefix)) {
    throw new WharfError(
      'E_SUBMISSION_INVALID',
      `${field} must be owner/repo or a ${prefix} URL, got ${JSON.stringify(raw.slice(0, 100))}.`,
    );
  }
  const s = (url ? trimmed.slice(prefix.length) : trimmed).replace(/(?:\.git)?\/?$/, '');
  if (!REPO_SLUG.test(s) || s.includes('..')) {
    throw new WharfError(
      'E_SUBMISSION_INVALID',
      `${field} must be owner/repo, got ${JSON.stringify(raw.slice(0, 100))}.`,
    );
  }
  return s;
}

/**
 * Issue body → validated Submission. The id is checked first (E_ID_INVALID), before anything could use it, so an
 * id such as `--upload-pack=x` never reaches git or a URL.
 */
export function parseSubmission(
  body: string,
  formYaml: string,
  limits: IssueFormLimits = DEFAULT_FORM_LIMITS,
): Submission {
  const { fields } = parseIssueForm(body, formYaml, limits);
  const text = (id: string): string => {
    const v = fields[id];
    return typeof v === 'string' ? v.trim() : '';
  };
  const pluginId = text('plugin_id');
  checkId(pluginId);
  const permissions: Submission['permissions'] = [];
  const permText = text('permissions');
  if (permText && !/^none\.?$/i.test(permText)) {
    for (const line of permText.split('\n')) {
      const l = line.replace(/^\s*[-*]\s*/, '').trim();
      if (!l) continue;
      const m = /^`?([a-z_]+)`?\s*:\s*(.*)$/.exec(l);
      if (!m)
        throw new WharfError(
          'E_SUBMISSION_INVALID',
          `Permissions: each line must be "name: justification", got ${JSON.stringify(l.slice(0, 80))}.`,
        );
      permissions.push({ permission: m[1] as string, justification: (m[2] as string).trim() });
    }
  }
  const checklist: Record<string, boolean> = {};
  const boxes = fields.checklist as Checkboxes | undefined;
  for (const label of boxes?.selected ?? []) checklist[label] = true;
  for (const label of boxes?.unselected ?? []) checklist[label] = false;
  const gitee = text('gitee_repository');
  const submission: Submission = {
    plugin_id: pluginId,
    repository: repoSlug(text('repository'), 'GitHub repository', 'github.com'),
    ...(gitee ? { gitee_repository: repoSlug(gitee, 'Gitee repository', 'gitee.com') } : {}),
    tag: text('tag'),
    public_key: text('public_key'),
    category: (fields.category as string[] | undefined)?.[0] ?? '',
    license: text('license'),
    permissions,
    checklist,
  };
  const v = validateSubmission(submission);
  if (!v.ok) {
    const [first] = v.problems;
    throw new WharfError(
      first?.code === 'E_SCHEMA' ? 'E_SUBMISSION_INVALID' : (first?.code ?? 'E_SUBMISSION_INVALID'),
      `The submission is invalid: ${first?.path} ${first?.message}.`,
      { problems: v.problems },
    );
  }
  return v.value;
}

export { DEFAULT_FORM_LIMITS };
