/**
 * The unbiased pass@k estimator of Chen et al. (2021): from `n` samples of which `c` are correct, the probability
 * that at least one of `k` samples drawn without replacement is correct, 1 − C(n−c, k) / C(n, k).
 *
 * @module
 */

/**
 * pass@k from `n` samples with `c` correct, computed stably as 1 − ∏_{i=n−c+1}^{n} (1 − k/i) (no binomials, so
 * no overflow for large `n`); exactly 1 when fewer than `k` samples are wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { passAtK } from "./passk.ts";
 * assert.equal(passAtK(10, 5, 2).toFixed(12), (1 - 10 / 45).toFixed(12)); // 1 − C(5,2)/C(10,2)
 * assert.equal(passAtK(10, 9, 2), 1); // fewer than k failures: every draw of 2 holds a success
 * ```
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k)) {
    throw new RangeError(`passAtK: n, c and k must be integers (got n=${n}, c=${c}, k=${k})`);
  }
  if (n < 1 || c < 0 || c > n) throw new RangeError(`passAtK: need 0 ≤ c ≤ n and n ≥ 1 (got n=${n}, c=${c})`);
  if (k < 1 || k > n) throw new RangeError(`passAtK: need 1 ≤ k ≤ n (got k=${k}, n=${n})`);
  if (n - c < k) return 1;
  let allWrong = 1;
  for (let i = n - c + 1; i <= n; i++) allWrong *= 1 - k / i;
  return 1 - allWrong;
}
