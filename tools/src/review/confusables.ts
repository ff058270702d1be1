// A small confusable "skeleton" (in the spirit of Unicode TR39's skeleton()), hand-written because no installed
// library ships the confusables table: enough to catch the squatting tricks that matter for plugin ids and names
// (Cyrillic/Greek look-alikes, 0/o, 1/l, rn/m, vv/w, separators, case, width).

const LOOKALIKES: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ј: 'j',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  // digits and Latin look-alikes
  '0': 'o',
  '1': 'l',

  '5': 's',
  '3': 'e',
  $: 's',
};

/** Two strings with the same skeleton look the same to a human. */
export function skeleton(s: string): string {
  const folded = s.normalize('NFKC').toLowerCase();
  let out = '';
  for (const ch of folded) out += LOOKALIKES[ch] ?? ch;
  return out
    .replace(/[\s_.\-–—·]+/g, '')
    .replace(/rn/g, 'm')
    .replace(/vv/g, 'w');
}
