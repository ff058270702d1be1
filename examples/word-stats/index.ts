// word-stats: outputs {"words":N,"chars":M} for the UTF-8 input.
// words = runs of non-whitespace; chars = Unicode code points (not bytes).
import { Host } from '@extism/as-pdk';

// Wired in with `asc --use abort=index/abort` so the module does not import
// env.abort, which Extism hosts do not provide. Trapping beats carrying on.
// biome-ignore lint/correctness/noUnusedVariables: referenced by asc's --use flag, not by code
function abort(_message: string | null, _file: string | null, _line: u32, _column: u32): void {
  unreachable();
}

function isSpace(b: u8): bool {
  // ASCII whitespace: space, \t \n \v \f \r
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

export function word_stats(): i32 {
  const input = Host.input();
  let words: i32 = 0;
  let chars: i32 = 0;
  let inWord = false;
  for (let i = 0; i < input.length; i++) {
    const b = unchecked(input[i]);
    // Count code points on the raw bytes: every byte that is not a
    // UTF-8 continuation byte (10xxxxxx) starts a new character.
    if ((b & 0xc0) !== 0x80) chars++;
    if (isSpace(b)) {
      inWord = false;
    } else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  // biome-ignore lint/style/useTemplate: asc compiles template literals to a bigger array join
  Host.outputString('{"words":' + words.toString() + ',"chars":' + chars.toString() + '}');
  return 0;
}
