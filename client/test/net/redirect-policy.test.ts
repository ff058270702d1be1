// The redirect rules as a pure function, every combination: which origin may send a download where. The fetch
// wiring (that the real fetch path asks this for every hop and every resolved address) is in redirects.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS } from '../../../test/fuzz/only-wharf-errors.js';
import {
  type AddressClass,
  addressClass,
  hostClass,
  MAX_REDIRECTS,
  redirectProblem,
} from '../../src/index/redirect-policy.js';

const ADDRESSES: Record<AddressClass, string[]> = {
  loopback: ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '[::1]', '64:ff9b::7f00:1'],
  private: [
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata, link-local
    '100.64.0.1', // CGNAT
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1', // NAT64 of 10.0.0.1
    '2002:7f00:1::1', // 6to4 of 127.0.0.1: fails closed
    'not an address',
  ],
  public: [
    '93.184.215.14',
    '140.82.112.3',
    '172.32.0.1',
    '2606:50c0:8000::154',
    '::ffff:140.82.112.3',
    '64:ff9b::8c52:7003',
  ],
};

describe('addressClass', () => {
  for (const [cls, list] of Object.entries(ADDRESSES))
    for (const a of list) it(`${a} is ${cls}`, () => expect(addressClass(a)).toBe(cls));

  it('knows literal and localhost hosts without DNS, and leaves names to DNS', () => {
    expect(hostClass(new URL('http://127.0.0.1:8080/'))).toBe('loopback');
    expect(hostClass(new URL('http://[::1]/'))).toBe('loopback');
    expect(hostClass(new URL('http://LocalHost./'))).toBe('loopback');
    expect(hostClass(new URL('http://a.localhost/'))).toBe('loopback');
    expect(hostClass(new URL('https://10.1.2.3/'))).toBe('private');
    expect(hostClass(new URL('https://[fe80::1]/'))).toBe('private');
    expect(hostClass(new URL('https://0x7f.1/'))).toBe('loopback'); // WHATWG URL normalises it to 127.0.0.1
    expect(hostClass(new URL('https://github.com/'))).toBeUndefined();
  });
});

// One origin per class, as the fetch describes it: its URL and the address its socket was connected to.
const FROM = {
  loopback: { url: 'http://127.0.0.1:4000/a', address: '127.0.0.1' },
  loopbackName: { url: 'http://localhost:4000/a', address: '::1' },
  private: { url: 'https://mirror.corp/a', address: '10.0.0.8' },
  public: { url: 'https://api.github.com/a', address: '140.82.112.3' },
  publicNoAddress: { url: 'https://api.github.com/a' },
} as const;
type From = keyof typeof FROM;
const ALL = Object.keys(FROM) as From[];
const LOOPBACK_FROM: From[] = ['loopback', 'loopbackName'];

// Each target, and the origins allowed to send a download there; everyone else is refused.
const TARGETS: Array<{ to: { url: string; address?: string }; allowed: From[]; why?: RegExp }> = [
  { to: { url: 'https://objects.githubusercontent.com/x' }, allowed: ALL }, // before DNS
  { to: { url: 'https://objects.githubusercontent.com/x', address: '185.199.108.133' }, allowed: ALL },
  { to: { url: 'https://cdn.example/x', address: '127.0.0.1' }, allowed: LOOPBACK_FROM, why: /loopback/ },
  { to: { url: 'https://cdn.example/x', address: '::ffff:127.0.0.1' }, allowed: LOOPBACK_FROM, why: /loopback/ },
  { to: { url: 'https://127.0.0.1:9/x' }, allowed: LOOPBACK_FROM, why: /loopback/ },
  { to: { url: 'https://localhost/x' }, allowed: LOOPBACK_FROM, why: /loopback/ },
  { to: { url: 'https://cdn.example/x', address: '10.0.0.9' }, allowed: [...LOOPBACK_FROM, 'private'], why: /private/ },
  {
    to: { url: 'https://cdn.example/x', address: '169.254.169.254' },
    allowed: [...LOOPBACK_FROM, 'private'],
    why: /private, link-local/,
  },
  { to: { url: 'https://[fe80::1]/x' }, allowed: [...LOOPBACK_FROM, 'private'], why: /private/ },
  { to: { url: 'https://192.168.0.1/x' }, allowed: [...LOOPBACK_FROM, 'private'], why: /private/ },
  { to: { url: 'http://127.0.0.1:9/x' }, allowed: LOOPBACK_FROM, why: /plain http/ },
  { to: { url: 'http://localhost:9/x', address: '127.0.0.1' }, allowed: LOOPBACK_FROM, why: /plain http/ },
  { to: { url: 'http://[::1]:9/x' }, allowed: LOOPBACK_FROM, why: /plain http/ },
  // A loopback-looking name that DNS sends elsewhere is not loopback, and a name is not a loopback host.
  { to: { url: 'http://localhost:9/x', address: '93.184.215.14' }, allowed: [], why: /plain http/ },
  { to: { url: 'http://loop.test:9/x', address: '127.0.0.1' }, allowed: [], why: /plain http/ },
  { to: { url: 'http://example.invalid/x' }, allowed: [], why: /plain http/ },
  { to: { url: 'http://93.184.215.14/x' }, allowed: [], why: /plain http/ },
  { to: { url: 'http://10.0.0.1/x' }, allowed: [], why: /plain http/ },
  { to: { url: 'ftp://example.com/x' }, allowed: [], why: /ftp:/ },
  { to: { url: 'file:///etc/passwd' }, allowed: [], why: /file:/ },
  { to: { url: 'data:text/plain,hi' }, allowed: [], why: /data:/ },
  { to: { url: 'https://user:pw@cdn.example/x' }, allowed: [], why: /user name or password/ },
];

describe('redirectProblem', () => {
  for (const t of TARGETS)
    for (const from of ALL) {
      const allowed = t.allowed.includes(from);
      it(`${from} → ${t.to.url}${t.to.address ? ` (${t.to.address})` : ''}: ${allowed ? 'followed' : 'refused'}`, () => {
        const why = redirectProblem(FROM[from], t.to);
        if (allowed) expect(why).toBeUndefined();
        else expect(why).toMatch(t.why ?? /./);
      });
    }

  it('an unparsable Location is refused', () => {
    expect(redirectProblem(FROM.public, { url: 'https://[not' })).toMatch(/not a valid URL/);
  });

  it('names only the target origin, never its path or query', () => {
    const why = redirectProblem(FROM.public, { url: 'http://evil.example/MARKER?q=MARKER#MARKER' });
    expect(why).toContain('http://evil.example');
    expect(why).not.toContain('MARKER');
  });

  it('bounds the hops at a handful (GitHub needs one)', () => {
    expect(MAX_REDIRECTS).toBeGreaterThanOrEqual(1);
    expect(MAX_REDIRECTS).toBeLessThanOrEqual(10);
  });

  const cls = fc.constantFrom<AddressClass>('loopback', 'private', 'public');
  const addressOf = (c: AddressClass) => fc.constantFrom(...ADDRESSES[c].filter((a) => a !== 'not an address'));
  const hop = cls.chain((c) =>
    fc.record({
      c: fc.constant(c),
      address: addressOf(c),
      scheme: fc.constantFrom('http:', 'https:'),
      host: fc.constantFrom('127.0.0.1', 'localhost', 'cdn.example', '10.0.0.1', 'github.com'),
    }),
  );

  it('property: public never reaches private or loopback, only loopback reaches loopback, http only loopback→loopback', () => {
    fc.assert(
      fc.property(hop, hop, (f, t) => {
        const why = redirectProblem(
          { url: `${f.scheme}//${f.host}/a`, address: f.address },
          { url: `${t.scheme}//${t.host}/b`, address: t.address },
        );
        if (f.c === 'public' && t.c !== 'public') expect(why).toBeDefined();
        if (t.c === 'loopback' && f.c !== 'loopback') expect(why).toBeDefined();
        if (t.scheme === 'http:' && !(f.c === 'loopback' && t.c === 'loopback')) expect(why).toBeDefined();
        // And nothing else is refused: https between public hosts, or away from loopback, is followed.
        if (t.scheme === 'https:' && t.c === 'public') expect(why).toBeUndefined();
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
