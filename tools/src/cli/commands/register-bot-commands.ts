import { registerApprove } from './approve.js';
import type { AdminCommandContext } from './context.js';
import { registerPublishSubmissions } from './publish-submissions.js';
import { registerRegistryMaintenance } from './registry-maintenance.js';
import { registerReview } from './review.js';
import { registerScan } from './scan.js';
import { registerStats } from './stats.js';

/** The submission/review/publish commands (issue 4), registered from main.ts in one call. */
export function registerBotCommands(ctx: AdminCommandContext): void {
  registerScan(ctx);
  registerReview(ctx);
  registerApprove(ctx);
  registerPublishSubmissions(ctx);
  registerRegistryMaintenance(ctx);
  registerStats(ctx);
}
