/**
 * The known ids nearest to a mistyped one, for "did you mean count-vowels?": edit distance up to a third of the
 * id's length, or the id as a part of a known one (`vowels`). Hand-written: commander's equivalent isn't exported,
 * and the distance is a dozen lines.
 */
export function closestIds(wanted: string, known: Iterable<string>, max = 3): string[] {
  const w = wanted.toLowerCase();
  const limit = Math.max(1, Math.floor(w.length / 3));
  const scored: Array<[string, number]> = [];
  for (const k of new Set(known)) {
    const d = distance(w, k.toLowerCase());
    if (d <= limit) scored.push([k, d]);
    else if (w.length >= 3 && k.toLowerCase().includes(w)) scored.push([k, limit + 1]);
  }
  return scored
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([k]) => k);
}

/** Levenshtein distance, one row at a time. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length] as number;
}
