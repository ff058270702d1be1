import type { Category } from '@wharf/schemas';

/** WXAUTO-MGT's five marketplace categories (same ids, icons and Chinese names), so its entries map across. */
export const DEFAULT_CATEGORIES: readonly Category[] = [
  {
    id: 'ai_platform',
    name: 'AI Platforms',
    name_zh: 'AI平台',
    description: 'AI service platform integrations',
    icon: '🤖',
  },
  {
    id: 'automation',
    name: 'Automation',
    name_zh: '自动化',
    description: 'Automated message and task processing',
    icon: '⚡',
  },
  {
    id: 'integration',
    name: 'Integrations',
    name_zh: '系统集成',
    description: 'Third-party system integrations',
    icon: '🔗',
  },
  { id: 'utility', name: 'Utilities', name_zh: '实用工具', description: 'Practical utility plugins', icon: '🛠️' },
  {
    id: 'entertainment',
    name: 'Entertainment',
    name_zh: '娱乐功能',
    description: 'Fun and entertainment plugins',
    icon: '🎮',
  },
];
