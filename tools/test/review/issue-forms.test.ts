import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CATEGORIES } from '@wharf/schemas';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { machineValue, parseIssueForm, renderIssueBody } from '../../src/submission/issue-form.js';
import { parseSubmission } from '../../src/submission/parse-submission.js';
import { EXAMPLE_KEY_LINE, FORM, REPO_ROOT } from './market-fixture.js';

const TEMPLATES = join(REPO_ROOT, '.github', 'ISSUE_TEMPLATE');
const WXAUTO_FORM = readFileSync(
  join(REPO_ROOT, '..', 'shared', 'data', 'wxauto', 'plugin_submission.issue-form.yml'),
  'utf8',
);

describe('issue forms', () => {
  it('offers exactly the registry categories, as machine values', () => {
    const form = parse(FORM) as { body: { id?: string; attributes: { options?: string[] } }[] };
    const options = form.body.find((f) => f.id === 'category')?.attributes.options ?? [];
    expect(options.map(machineValue)).toEqual(DEFAULT_CATEGORIES.map((c) => c.id));
  });

  it('disables blank issues and ships the key-rotation form', () => {
    expect(parse(readFileSync(join(TEMPLATES, 'config.yml'), 'utf8')).blank_issues_enabled).toBe(false);
    const rotation = readFileSync(join(TEMPLATES, 'key-rotation.yml'), 'utf8');
    const body = renderIssueBody(rotation, {
      plugin_id: 'count-vowels',
      new_public_key: EXAMPLE_KEY_LINE,
      statement: 'wharf-rotate id=count-vowels',
      signature: 'untrusted comment: x',
      reason: 'compromised',
    });
    expect(parseIssueForm(body, rotation).fields.reason).toEqual(['compromised']);
  });

  it('parses a submission rendered the way GitHub renders the form', () => {
    const body = renderIssueBody(FORM, {
      plugin_id: 'count-vowels',
      repository: 'https://github.com/alice/count-vowels',
      tag: 'v0.1.0',
      public_key: EXAMPLE_KEY_LINE,
      category: 'utility',
      license: 'MIT',
      permissions: '- allowed_hosts: calls api.example.com\n- config_keys: reads `greeting`',
      checklist: ['The repository has a README and a LICENSE file'],
    });
    const s = parseSubmission(body, FORM);
    expect(s).toMatchObject({ plugin_id: 'count-vowels', repository: 'alice/count-vowels', category: 'utility' });
    expect(s.gitee_repository).toBeUndefined();
    expect(s.permissions.map((p) => p.permission)).toEqual(['allowed_hosts', 'config_keys']);
    expect(s.checklist['The repository has a README and a LICENSE file']).toBe(true);
    expect(Object.values(s.checklist).filter((v) => !v)).toHaveLength(3);
  });

  it('parses the WXAUTO-MGT submission form, mapping labels to machine values', () => {
    const body = renderIssueBody(WXAUTO_FORM, {
      plugin_name: '智能客服助手',
      plugin_id: 'smart_customer_service',
      version: '1.0.0',
      description: '多行\n描述',
      category: 'ai_platform',
      github_repo: 'https://github.com/zhangsan/plugin',
      author_name: '张三',
      author_github: 'zhangsan',
      author_email: 'zhangsan@example.com',
      license: 'Commercial',
      min_wxauto_version: '1.0.0',
      python_version: '>=3.8',
      supported_os: ['Windows', 'Darwin'],
      permissions: ['network.http', 'config.read'],
    });
    const { fields } = parseIssueForm(body, WXAUTO_FORM);
    expect(fields.category).toEqual(['ai_platform']);
    expect(fields.license).toEqual(['Commercial']);
    expect(fields.supported_os).toEqual({ selected: ['Windows', 'Darwin'], unselected: ['Linux'] });
    expect((fields.permissions as { selected: string[] }).selected).toEqual(['network.http', 'config.read']);
    expect(fields.description).toBe('多行\n描述');
    expect(fields.gitee_repo).toBeUndefined();
  });

  it('bounds the number of sections and the size of each field', () => {
    const many = Array.from({ length: 60 }, (_, i) => `### F${i}\n\nx`).join('\n\n');
    expect(() => parseIssueForm(many, FORM)).toThrow(expect.objectContaining({ code: 'E_SUBMISSION_INVALID' }));
    const big = renderIssueBody(FORM, { plugin_id: 'count-vowels', permissions: 'y'.repeat(9000) });
    expect(() => parseIssueForm(big, FORM)).toThrow(expect.objectContaining({ code: 'E_TOO_LARGE' }));
  });
});
