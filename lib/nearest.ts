/**
 * The nearest valid name to a mistyped one, for error messages that suggest a fix: YAML keys, CLI flags, domains.
 * At the bottom of the library (it imports nothing), so that every layer can suggest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closestKey } from "./nearest.ts";
 * assert.equal(closestKey("worker", ["workers", "out"]), "workers");
 * assert.equal(closestKey("banana", ["workers", "out"]), undefined);
 * ```
 *
 * @module
 */

/** Edit distance (Levenshtein), for suggesting the closest valid key. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length];
}

/** The valid key closest to `key`, when it is close enough to be a likely typo. */
export function closestKey(key: string, valid: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
