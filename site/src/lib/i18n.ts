// Every UI string, in every language. Pages and scripts look strings up here; none is written in a template.
// English is served at the site root, Chinese under /zh/.
import { pluralForm } from './text';

export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

const en = {
  'html.lang': 'en',
  'site.title': 'Wharf plugins',
  'site.tagline': 'Signed Extism WebAssembly plugins, installed by hash.',
  'nav.home': 'Home',
  'nav.search': 'Search',
  'nav.docs': 'Docs',
  'nav.skip': 'Skip to content',
  'nav.main': 'Main',
  'lang.switch': '中文',
  'lang.switchLabel': 'Switch language to Chinese',
  'theme.toDark': 'Switch to dark theme',
  'theme.toLight': 'Switch to light theme',
  'home.featured': 'Featured',
  'home.recent': 'Recently updated',
  'home.popular': 'Most downloaded',
  'home.categories': 'Categories',
  'home.all': 'All {n} plugins, by category',
  'home.all.one': 'The {n} plugin, by category',
  'search.label': 'Search plugins',
  'search.placeholder': 'Search by name, description or tag',
  'search.submit': 'Search',
  'search.title': 'Search',
  'search.filters': 'Filters',
  'search.category': 'Category',
  'search.anyCategory': 'Any category',
  'search.tag': 'Tag',
  'search.verifiedOnly': 'Verified only',
  'search.results': '{n} results',
  'search.results.one': '{n} result',
  'search.resultsMore': '{n} results, showing the first {shown}',
  'search.none': 'No plugins match.',
  'search.loading': 'Loading the search index…',
  'search.failed': 'The search index could not be loaded.',
  'search.hint': 'Use ↓ and ↑ to move through the results, Enter to open one, Esc to return to the search box.',
  'search.noscript': 'Search needs JavaScript. Every plugin is also listed on its category page:',
  'search.closest': 'Closest names:',
  'search.listSep': ', ',
  'search.seeAll': 'See all {n} results',
  'search.seeAll.one': 'See the {n} result',
  'search.liveLabel': 'Matching plugins',
  'search.liveHint': 'Results appear as you type. Use ↓ and ↑ to choose one, Enter to open it, Esc to close the list.',
  'plugin.by': 'by {author}',
  'plugin.install': 'Install',
  'plugin.copy': 'Copy',
  'plugin.readme': 'README',
  'plugin.allVersions': 'All {n} versions, with hashes',
  'plugin.allVersions.one': 'The {n} version, with its hash',
  'card.author': 'Author',
  'card.version': 'Latest',
  'card.updated': 'Updated',
  'card.downloads': 'Downloads',
  'card.score': 'Security {s} · Quality {q}',
  'plugin.sidebar': 'Install and details',
  'plugin.signingKey': 'Signing key',
  'start.title': 'Get started',
  'start.cli': 'Get the wharf command (Node.js 20.19 or newer):',
  'start.source':
    'Add this registry as the source "{alias}", pinned by its root fingerprint, and fetch its signed index:',
  'start.noRoot':
    'This registry publishes no root fingerprint; ask its operator for one before you add it as a source.',
  'start.install': 'Install the plugin (its sha256 and signature are checked):',
  'start.run': 'Run it on the sample input:',
  'start.mcp': 'Use it as a tool in an agent: wharf mcp serves it over stdio (tool {tool}).',
  'start.mcpGeneric': 'Any MCP client (Claude Desktop, Cursor, …)',
  'start.mastra': 'Mastra',
  'start.link': 'First time? Step by step',
  'plugin.copied': 'Copied',
  'plugin.links': 'Links',
  'plugin.homepage': 'Homepage',
  'plugin.github': 'Source on GitHub',
  'plugin.gitee': 'Mirror on Gitee',
  'plugin.source': 'Source',
  'plugin.mirror': 'Mirror',
  'plugin.releases': 'Releases',
  'plugin.license': 'Licence',
  'plugin.category': 'Category',
  'plugin.tags': 'Tags',
  'plugin.details': 'Details',
  'plugin.verified': 'Verified',
  'plugin.featured': 'Featured',
  'plugin.status': 'Status',
  'plugin.status.active': 'Active',
  'plugin.status.deprecated': 'Deprecated',
  'plugin.status.suspended': 'Suspended',
  'plugin.status.removed': 'Removed',
  'plugin.replacedBy': 'Replaced by',
  'plugin.downloads': 'Downloads',
  'plugin.stars': 'Stars',
  'plugin.latest': 'Latest version',
  'plugin.versions': 'Versions',
  'plugin.version': 'Version',
  'plugin.published': 'Published',
  'plugin.size': 'Size',
  'plugin.state': 'State',
  'plugin.yanked': 'Yanked',
  'plugin.deprecatedV': 'Deprecated',
  'plugin.ok': 'Available',
  'plugin.sha256': 'sha256',
  'plugin.keyid': 'Signing key id',
  'plugin.keys': 'Signing keys',
  'key.active': 'active',
  'key.retired': 'retired',
  'key.revoked': 'revoked',
  'plugin.permissions': 'Permissions',
  'plugin.noPermissions': 'This plugin asks for no permissions: no network, no files, no host functions.',
  'plugin.justification': 'Why: {text}',
  'plugin.noJustification': 'No justification given.',
  'perm.allowed_hosts': 'May make HTTP requests to: {list}',
  'perm.allowed_paths': 'May access these host folders: {list}',
  'perm.config_keys': 'Reads these configuration keys: {list}',
  'perm.host_functions': 'Calls these host functions: {list}',
  'perm.memory_max_pages': 'May use up to {n} MiB of memory',
  'perm.timeout_ms': 'May run for up to {n} ms per call',
  'perm.wasi': 'Uses WASI (system interface: clock, random, environment)',
  'plugin.exports': 'Exports',
  'plugin.inputSchema': 'Input schema',
  'plugin.outputSchema': 'Output schema',
  'plugin.noSchema': 'No schema declared.',
  'plugin.review': 'Review',
  'plugin.noReview': 'This release has no review record in the registry.',
  'plugin.security': 'Security score',
  'plugin.quality': 'Quality score',
  'plugin.check': 'Check',
  'plugin.checkStatus': 'Result',
  'plugin.checkMessage': 'Details',
  'plugin.reviewedAt': 'Reviewed {date} with tool {tool}',
  'plugin.reviewIssue': 'submission #{n}',
  'check.pass': 'Pass',
  'check.warn': 'Warning',
  'check.fail': 'Fail',
  'check.skip': 'Skipped',
  'plugin.compat': 'Compatibility',
  'plugin.host': 'Host',
  'plugin.abi': 'Extism ABI',
  'category.title': '{name}',
  'category.count': '{n} plugins',
  'category.count.one': '{n} plugin',
  'category.page': 'Page {page} of {pages}',
  'category.prev': 'Previous page',
  'category.next': 'Next page',
  'category.pages': 'Pages',
  'docs.title': 'Documentation',
  'docs.intro': 'Guides for users, plugin authors and registry operators.',
  'notFound.title': 'Page not found',
  'notFound.body': 'There is nothing at this address. Try the search, or start from the home page.',
  'footer.text': 'Wharf: a decentralized, Git-backed marketplace for Extism plugins. Registry updated {date}.',
  'footer.registry': 'registry.json',
  'footer.repository': 'The marketplace repository',
  'footer.feed': 'New releases (Atom feed)',
  'footer.api': 'JSON API',
  'feed.title': 'Wharf plugins: new releases',
  'feed.pluginTitle': '{name}: releases',
  'plugin.feed': 'Release feed (Atom)',
  'plugin.api': 'JSON',
  'og.categoryCard': 'Wharf plugins · {category}',
  'footer.submit': 'Submit a plugin',
} as const;

export type Key = keyof typeof en;

const zh: Record<Key, string> = {
  'html.lang': 'zh-CN',
  'site.title': 'Wharf 插件市场',
  'site.tagline': '经过签名的 Extism WebAssembly 插件，按哈希安装。',
  'nav.home': '首页',
  'nav.search': '搜索',
  'nav.docs': '文档',
  'nav.skip': '跳到正文',
  'nav.main': '主导航',
  'lang.switch': 'English',
  'lang.switchLabel': '切换到英文',
  'theme.toDark': '切换到深色主题',
  'theme.toLight': '切换到浅色主题',
  'home.featured': '精选',
  'home.recent': '最近更新',
  'home.popular': '下载最多',
  'home.categories': '分类',
  'home.all': '全部 {n} 个插件（按分类）',
  'home.all.one': '全部 {n} 个插件（按分类）',
  'search.label': '搜索插件',
  'search.placeholder': '按名称、描述或标签搜索',
  'search.submit': '搜索',
  'search.title': '搜索',
  'search.filters': '筛选',
  'search.category': '分类',
  'search.anyCategory': '所有分类',
  'search.tag': '标签',
  'search.verifiedOnly': '仅显示已验证',
  'search.results': '{n} 个结果',
  'search.results.one': '{n} 个结果',
  'search.resultsMore': '{n} 个结果，显示前 {shown} 个',
  'search.none': '没有匹配的插件。',
  'search.loading': '正在加载搜索索引…',
  'search.failed': '无法加载搜索索引。',
  'search.hint': '用 ↓ 和 ↑ 在结果间移动，回车打开，Esc 返回搜索框。',
  'search.noscript': '搜索需要 JavaScript。每个插件也列在它所属的分类页面：',
  'search.closest': '最接近的名称：',
  'search.listSep': '、',
  'search.seeAll': '查看全部 {n} 个结果',
  'search.seeAll.one': '查看全部 {n} 个结果',
  'search.liveLabel': '匹配的插件',
  'search.liveHint': '输入时即显示结果。用 ↓ 和 ↑ 选择，回车打开，Esc 关闭列表。',
  'plugin.by': '作者：{author}',
  'plugin.install': '安装',
  'plugin.copy': '复制',
  'plugin.readme': '说明文档',
  'plugin.allVersions': '全部 {n} 个版本及哈希',
  'plugin.allVersions.one': '全部 {n} 个版本及哈希',
  'card.author': '作者',
  'card.version': '最新版本',
  'card.updated': '更新',
  'card.downloads': '下载',
  'card.score': '安全 {s} · 质量 {q}',
  'plugin.sidebar': '安装与详情',
  'plugin.signingKey': '签名密钥',
  'start.title': '快速上手',
  'start.cli': '安装 wharf 命令（需要 Node.js 20.19 或更高版本）：',
  'start.source': '添加此注册表为源「{alias}」，以根密钥指纹固定信任，并获取签名索引：',
  'start.noRoot': '此注册表未公布根密钥指纹；添加为源之前，请向其维护者索取。',
  'start.install': '安装插件（会校验 sha256 与签名）：',
  'start.run': '用示例输入运行：',
  'start.mcp': '在智能体中作为工具使用：wharf mcp 通过 stdio 提供（工具名 {tool}）。',
  'start.mcpGeneric': '任意 MCP 客户端（Claude Desktop、Cursor 等）',
  'start.mastra': 'Mastra',
  'start.link': '第一次使用？分步说明',
  'plugin.copied': '已复制',
  'plugin.links': '链接',
  'plugin.homepage': '主页',
  'plugin.github': 'GitHub 源码',
  'plugin.gitee': 'Gitee 镜像',
  'plugin.source': '源码',
  'plugin.mirror': '镜像',
  'plugin.releases': '发布',
  'plugin.license': '许可证',
  'plugin.category': '分类',
  'plugin.tags': '标签',
  'plugin.details': '详情',
  'plugin.verified': '已验证',
  'plugin.featured': '精选',
  'plugin.status': '状态',
  'plugin.status.active': '正常',
  'plugin.status.deprecated': '已弃用',
  'plugin.status.suspended': '已暂停',
  'plugin.status.removed': '已移除',
  'plugin.replacedBy': '替代插件',
  'plugin.downloads': '下载量',
  'plugin.stars': '星标',
  'plugin.latest': '最新版本',
  'plugin.versions': '版本',
  'plugin.version': '版本',
  'plugin.published': '发布时间',
  'plugin.size': '大小',
  'plugin.state': '状态',
  'plugin.yanked': '已撤回',
  'plugin.deprecatedV': '已弃用',
  'plugin.ok': '可用',
  'plugin.sha256': 'sha256',
  'plugin.keyid': '签名密钥 ID',
  'plugin.keys': '签名密钥',
  'key.active': '有效',
  'key.retired': '已停用',
  'key.revoked': '已吊销',
  'plugin.permissions': '权限',
  'plugin.noPermissions': '此插件不需要任何权限：不联网、不访问文件、不调用宿主函数。',
  'plugin.justification': '理由：{text}',
  'plugin.noJustification': '未说明理由。',
  'perm.allowed_hosts': '可以向这些主机发送 HTTP 请求：{list}',
  'perm.allowed_paths': '可以访问这些宿主目录：{list}',
  'perm.config_keys': '读取这些配置项：{list}',
  'perm.host_functions': '调用这些宿主函数：{list}',
  'perm.memory_max_pages': '最多使用 {n} MiB 内存',
  'perm.timeout_ms': '每次调用最多运行 {n} 毫秒',
  'perm.wasi': '使用 WASI（系统接口：时钟、随机数、环境变量）',
  'plugin.exports': '导出函数',
  'plugin.inputSchema': '输入格式',
  'plugin.outputSchema': '输出格式',
  'plugin.noSchema': '未声明格式。',
  'plugin.review': '审核',
  'plugin.noReview': '注册表中没有此版本的审核记录。',
  'plugin.security': '安全评分',
  'plugin.quality': '质量评分',
  'plugin.check': '检查项',
  'plugin.checkStatus': '结果',
  'plugin.checkMessage': '说明',
  'plugin.reviewedAt': '审核于 {date}，工具版本 {tool}',
  'plugin.reviewIssue': '提交 #{n}',
  'check.pass': '通过',
  'check.warn': '警告',
  'check.fail': '失败',
  'check.skip': '跳过',
  'plugin.compat': '兼容性',
  'plugin.host': '宿主',
  'plugin.abi': 'Extism ABI',
  'category.title': '{name}',
  'category.count': '{n} 个插件',
  'category.count.one': '{n} 个插件',
  'category.page': '第 {page} 页，共 {pages} 页',
  'category.prev': '上一页',
  'category.next': '下一页',
  'category.pages': '分页',
  'docs.title': '文档',
  'docs.intro': '面向用户、插件作者和注册表运维者的指南。',
  'notFound.title': '页面不存在',
  'notFound.body': '这个地址没有内容。试试搜索，或从首页开始。',
  'footer.text': 'Wharf：去中心化、基于 Git 的 Extism 插件市场。注册表更新于 {date}。',
  'footer.registry': 'registry.json',
  'footer.repository': '插件市场仓库',
  'footer.feed': '新版本（Atom 订阅）',
  'footer.api': 'JSON 接口',
  'feed.title': 'Wharf 插件：新版本',
  'feed.pluginTitle': '{name}：版本',
  'plugin.feed': '版本订阅（Atom）',
  'plugin.api': 'JSON',
  'og.categoryCard': 'Wharf 插件市场 · {category}',
  'footer.submit': '提交插件',
};

const TABLE: Record<Lang, Record<Key, string>> = { en, zh };

/**
 * A translator for one language; `{name}` placeholders are filled from `vars`. A numeric `n` picks the key's
 * plural form when it has one ("category.count.one": "1 plugin"), by Intl.PluralRules.
 */
export function translator(lang: Lang) {
  return (key: Key, vars: Record<string, string | number> = {}): string => {
    const n = vars.n;
    const form = typeof n === 'number' && pluralForm(TABLE[lang]['html.lang'], n) === 'one' ? `${key}.one` : key;
    const text = TABLE[lang][(form in TABLE[lang] ? form : key) as Key];
    return text.replace(/\{(\w+)\}/g, (_, k: string) => {
      const v = vars[k];
      return v === undefined ? `{${k}}` : typeof v === 'number' ? formatNumber(lang, v) : v;
    });
  };
}

/** The strings the browser scripts need, embedded as data-* JSON (not an inline script). */
export function clientStrings(lang: Lang): Record<string, string> {
  const keys: Key[] = [
    'search.results',
    'search.results.one',
    'search.resultsMore',
    'search.none',
    'search.loading',
    'search.failed',
    'search.closest',
    'search.listSep',
    'search.seeAll',
    'search.seeAll.one',
    'plugin.verified',
    'plugin.copied',
    'plugin.copy',
  ];
  return Object.fromEntries(keys.map((k) => [k, TABLE[lang][k]]));
}

/** Site path for a page in a language: "plugins/x/" → "/zh/plugins/x/" (with the configured base). */
export function localePath(lang: Lang, path = ''): string {
  const base = import.meta.env.BASE_URL.replace(/\/?$/, '/');
  return `${base}${lang === 'en' ? '' : `${lang}/`}${path.replace(/^\//, '')}`;
}

/** getStaticPaths param for a language: en lives at the root, so its rest param is undefined. */
export function langParam(lang: Lang): string | undefined {
  return lang === 'en' ? undefined : lang;
}

export function langFromParam(p: string | undefined): Lang {
  return p === 'zh' ? 'zh' : 'en';
}

export function otherLang(lang: Lang): Lang {
  return lang === 'en' ? 'zh' : 'en';
}

/** Registry text in the page's language when the plugin has it. */
export function pick(lang: Lang, en: string, zh: string | undefined): string {
  return lang === 'zh' && zh ? zh : en;
}

export function formatDate(_lang: Lang, iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

/** 1520 → "1.5K" (en), "1520" (zh: 万 starts at 10 000). */
export function formatCompact(lang: Lang, n: number): string {
  return numberFormat(lang, true).format(n);
}

export function formatNumber(lang: Lang, n: number): string {
  return numberFormat(lang, false).format(n);
}

// One formatter per language and style: constructing one costs tens of µs, and every card and page formats numbers.
const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(lang: Lang, compact: boolean): Intl.NumberFormat {
  const key = `${lang}${compact}`;
  let f = numberFormats.get(key);
  if (!f) {
    const locale = lang === 'zh' ? 'zh-CN' : 'en-US';
    f = new Intl.NumberFormat(locale, compact ? { notation: 'compact', maximumFractionDigits: 1 } : {});
    numberFormats.set(key, f);
  }
  return f;
}
