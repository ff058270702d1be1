import type { ReviewReport } from '@wharf/schemas';
import { parseJson, validateReport } from '@wharf/schemas';

/** First line of the bot's sticky comment; the comment is found by this marker (and by its author). */
export const STICKY_MARKER = '<!-- wharf-review -->';
const REPORT_RE = /<!-- wharf-report:v1 ([A-Za-z0-9+/=]+) -->/;

/**
 * Untrusted text → Markdown that GitHub shows literally: every ASCII punctuation mark is backslash-escaped (so
 * backticks, `$(…)`, `${{ }}`, links and emphasis stay plain text), `<`, `>`, `&` and `@` become entities (no HTML,
 * no mentions), and line breaks become spaces so text can't start a new block.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|$~"':;,=?^%/]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;');
}

const ICON = { pass: '✅', warn: '⚠️', fail: '❌', skip: '⏭️' } as const;

export function renderMarkdown(report: ReviewReport): string {
  const verdict = report.passed
    ? `**Passed.** A maintainer can approve these exact bytes with \`/approve ${report.digests.wasm_sha256.slice(0, 12)}\`.`
    : '**Changes requested.** Fix the failed checks, publish a new release and edit this issue to re-run the review.';
  const rows = report.checks.map((c) => `| ${ICON[c.status]} | \`${c.id}\` | ${escapeMarkdown(c.message)} |`);
  const encoded = Buffer.from(JSON.stringify(report), 'utf8').toString('base64');
  return [
    STICKY_MARKER,
    `## Wharf review: ${escapeMarkdown(report.plugin_id)} ${escapeMarkdown(report.version)}`,
    '',
    verdict,
    '',
    `| | | |\n|---|---|---|\n| security score | **${report.security_score}** / 100 | quality score **${report.quality_score}** / 100 |`,
    '',
    '| | check | result |',
    '|---|---|---|',
    ...rows,
    '',
    '<details><summary>Digests and formula</summary>',
    '',
    `- wasm sha256 \`${report.digests.wasm_sha256}\` (${report.digests.wasm_size} bytes)`,
    `- minisig sha256 \`${report.digests.minisig_sha256}\``,
    `- plugin.json sha256 \`${report.digests.manifest_sha256}\``,
    `- key id \`${report.keyid}\``,
    `- ${escapeMarkdown(report.score_formula)}`,
    `- ${escapeMarkdown(report.tool_version)}, ${escapeMarkdown(report.reviewed_at)}`,
    '',
    '</details>',
    '',
    // Base64 so nothing in the report can close the HTML comment; publish re-validates it against the schema.
    `<!-- wharf-report:v1 ${encoded} -->`,
  ].join('\n');
}

/** The report embedded in a sticky comment, or undefined when absent or invalid. */
export function extractReport(commentBody: string): ReviewReport | undefined {
  const m = REPORT_RE.exec(commentBody);
  if (!m?.[1]) return undefined;
  try {
    const v = validateReport(parseJson(Buffer.from(m[1], 'base64').toString('utf8'), 'the embedded report'));
    return v.ok ? v.value : undefined;
  } catch {
    return undefined;
  }
}

export const LABELS = {
  submission: 'plugin-submission',
  needsReview: 'needs-review',
  changesRequested: 'changes-requested',
  approved: 'approved',
  published: 'published',
  rejected: 'rejected',
} as const;

/** Labels after a review: passed → waits for a maintainer; failed → back to the author. */
export function labelsForReport(report: ReviewReport): { add: string[]; remove: string[] } {
  return report.passed
    ? { add: [LABELS.needsReview], remove: [LABELS.changesRequested, LABELS.approved] }
    : { add: [LABELS.changesRequested], remove: [LABELS.needsReview, LABELS.approved] };
}
