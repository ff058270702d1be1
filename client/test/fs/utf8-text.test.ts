import { describe, expect, it } from 'vitest';
import { utf8Text } from '../../src/fs/utf8-text.js';

describe('utf8Text', () => {
  it('decodes ASCII and UTF-8 bytes to the text UTF-8 decoding gives', () => {
    for (const s of ['', '{"a":"\\u95ee"}\n', 'plain ascii', '问候 é 😀', 'x\u0080y', '\u007f'])
      expect(utf8Text(Buffer.from(s, 'utf8'))).toBe(s);
    // Bytes that are not UTF-8 decode as Buffer#toString does (replacement characters), never as latin1.
    const bad = Buffer.from([0x61, 0xe9, 0x62]);
    expect(utf8Text(bad)).toBe(bad.toString('utf8'));
  });
});
