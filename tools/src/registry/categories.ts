import type { Category } from '@wharf/schemas';
import * as schemas from '@wharf/schemas';

// WXAUTO-MGT's five marketplace categories (same ids, icons and Chinese names), so its entries map across.
// schemas/ owns the list; the local copy only covers builds where it isn't exported yet.
// TODO(contract): use `DEFAULT_CATEGORIES` from '@wharf/schemas' directly and drop LOCAL.
const LOCAL: readonly Category[] = [
  {
    id: 'ai_platform',
    name: 'AI platforms',
    name_zh: 'AI平台',
    description: 'AI service platform integrations',
    icon: '🤖',
  },
  {
    id: 'automation',
    name: 'Automation',
    name_zh: '自动化',
    description: 'Automated message and task handling',
    icon: '⚡',
  },
  {
    id: 'integration',
    name: 'Integrations',
    name_zh: '系统集成',
    description: 'Third-party system integrations',
    icon: '🔗',
  },
  { id: 'utility', name: 'Utilities', name_zh: '实用工具', description: 'Practical tools', icon: '🛠️' },
  { id: 'entertainment', name: 'Entertainment', name_zh: '娱乐功能', description: 'Fun and entertainment', icon: '🎮' },
];

export const DEFAULT_CATEGORIES: readonly Category[] =
  (schemas as unknown as { DEFAULT_CATEGORIES?: readonly Category[] }).DEFAULT_CATEGORIES ?? LOCAL;
