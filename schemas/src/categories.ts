import type { Category } from './types.js';

/** WXAUTO-MGT's five categories, which `registry init` seeds (DESIGN §2). Maintainers may add more. */
export const DEFAULT_CATEGORIES: readonly Category[] = [
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

/** Category for legacy entries that name none, or one the registry doesn't have. */
export const DEFAULT_CATEGORY = 'utility';
