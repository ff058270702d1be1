import { describe, expect, it } from 'vitest';
import {
  checkId,
  checkPermissions,
  checkUrl,
  idCollisionKey,
  isLoopbackUrl,
  isValidId,
  isWharfError,
  normalizeText,
} from '../src/index.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    expect(isWharfError(e)).toBe(true);
    return isWharfError(e) ? e.code : 'not a WharfError';
  }
}

describe('ids', () => {
  const bad = [
    '../x',
    '__proto__',
    '--upload-pack=x',
    'a--b',
    'Abc',
    'ab',
    'a'.repeat(65),
    'abc-',
    '1abc',
    'a b',
    'ab/c',
    '',
  ];
  it.each(bad)('refuses %j with E_ID_INVALID', (id) => {
    expect(isValidId(id)).toBe(false);
    expect(codeOf(() => checkId(id))).toBe('E_ID_INVALID');
  });

  it.each(['count-vowels', 'abc', 'a1b', 'a'.repeat(64)])('accepts %j', (id) => {
    expect(isValidId(id)).toBe(true);
    expect(() => checkId(id)).not.toThrow();
  });

  it('says which rule failed, in a sentence', () => {
    expect(() => checkId('a--b')).toThrow(/must not contain "--"/);
    expect(() => checkId('a'.repeat(65))).toThrow(/too long/);
  });

  it('collision key drops "-"', () => {
    expect(idCollisionKey('count-vowels')).toBe(idCollisionKey('countvowels'));
  });
});

describe('urls', () => {
  it.each([
    'JavaScript:alert(1)',
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    ' javascript:alert(1)',
    '\u0000javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://example.com',
    'ftp://example.com/x',
    'file:///etc/passwd',
    '//example.com/x',
    'https://user:pw@example.com/',
    'not a url',
  ])('refuses %j with E_URL_SCHEME', (url) => {
    expect(codeOf(() => checkUrl(url))).toBe('E_URL_SCHEME');
    expect(codeOf(() => checkUrl(url, { allowLoopback: true }))).toBe('E_URL_SCHEME');
  });

  it('accepts https', () => {
    expect(() => checkUrl('https://github.com/a/b')).not.toThrow();
  });

  it.each(['http://127.0.0.1:8080/x', 'http://localhost/registry', 'http://[::1]:3000/', 'http://localhost:1'])(
    'accepts loopback %j only with allowLoopback',
    (url) => {
      expect(isLoopbackUrl(url)).toBe(true);
      expect(codeOf(() => checkUrl(url))).toBe('E_URL_SCHEME');
      expect(() => checkUrl(url, { allowLoopback: true })).not.toThrow();
    },
  );

  it.each(['http://127.0.0.2.example.com/', 'http://localhost.evil.com/', 'http://10.0.0.1/'])(
    'does not treat %j as loopback',
    (url) => {
      expect(isLoopbackUrl(url)).toBe(false);
      expect(codeOf(() => checkUrl(url, { allowLoopback: true }))).toBe('E_URL_SCHEME');
    },
  );

  it('names the field in the message', () => {
    expect(() => checkUrl('http://x.com', { field: 'homepage' })).toThrow(/homepage/);
  });
});

describe('text', () => {
  it('applies NFC and keeps what the author wrote (full-width punctuation, ligatures)', () => {
    expect(normalizeText('cafe\u0301')).toBe('caf\u00e9');
    expect(normalizeText('插件（测试），好！')).toBe('插件（测试），好！');
    expect(normalizeText('ｗｈａｒｆ ﬁle')).toBe('ｗｈａｒｆ ﬁle');
  });

  it.each(['\u202e', '\u202a', '\u2066', '\u2069', '\u200e', '\u200f', '\u061c'])('refuses bidi control U+%s', (c) => {
    expect(codeOf(() => normalizeText(`safe${c}txt.exe`, 'name'))).toBe('E_TEXT_CONTROL_CHARS');
    expect(codeOf(() => normalizeText(`safe${c}`, 'description'))).toBe('E_TEXT_CONTROL_CHARS');
  });

  it.each(['\u0000', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\u009b', '\r'])('refuses control %j', (c) => {
    expect(codeOf(() => normalizeText(`a${c}b`, 'name'))).toBe('E_TEXT_CONTROL_CHARS');
    expect(codeOf(() => normalizeText(`a${c}b`, 'description'))).toBe('E_TEXT_CONTROL_CHARS');
  });

  it('allows \\n and \\t only in multiline fields, folding CRLF', () => {
    expect(normalizeText('a\r\nb\tc', 'description')).toBe('a\nb\tc');
    expect(normalizeText('a\nb', '/plugins/0/description_zh')).toBe('a\nb');
    expect(codeOf(() => normalizeText('a\nb', 'name'))).toBe('E_TEXT_CONTROL_CHARS');
    expect(codeOf(() => normalizeText('a\tb'))).toBe('E_TEXT_CONTROL_CHARS');
  });

  it('keeps CJK and emoji', () => {
    expect(normalizeText('智能记账插件 🛠️', 'name')).toBe('智能记账插件 🛠️');
  });
});

describe('permissions', () => {
  it('needs a justification for each declared permission', () => {
    const problems = checkPermissions({ allowed_hosts: ['a.com'], wasi: true, justifications: { wasi: 'clocks' } });
    expect(problems).toEqual([
      {
        path: '/permissions/justifications/allowed_hosts',
        code: 'E_SCHEMA',
        message: expect.stringContaining('allowed_hosts'),
      },
    ]);
  });

  it('treats empty lists and wasi:false as not declared', () => {
    expect(checkPermissions({ allowed_hosts: [], allowed_paths: {}, wasi: false })).toEqual([]);
  });
});
