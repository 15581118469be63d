import { closest, distance } from "fastest-levenshtein";

/** The known word a typo most likely meant, if one is close enough to suggest. */
export function nearest(word: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(word, known);
  // Two edits (a swapped pair) are a typo in any word of three letters or more; one in shorter ones.
  const allowed = Math.max(best.length >= 3 ? 2 : 1, Math.floor(best.length / 3));
  return distance(word.toLowerCase(), best.toLowerCase()) <= allowed ? best : undefined;
}

export function didYouMean(word: string, known: readonly string[]): string {
  const best = nearest(word, known);
  return best === undefined ? "" : ` (did you mean \`${best}\`?)`;
}
