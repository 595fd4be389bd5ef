import { assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { passAtK } from "../lib/mod.ts";

Deno.test("passAtK matches hand-computed binomial ratios", () => {
  // 1 − C(n−c, k)/C(n, k), worked out by hand.
  assertAlmostEquals(passAtK(10, 1, 1), 0.1, 1e-12);
  assertAlmostEquals(passAtK(10, 5, 2), 1 - 10 / 45, 1e-12);
  assertAlmostEquals(passAtK(16, 2, 4), 1 - 1001 / 1820, 1e-12); // C(14,4)=1001, C(16,4)=1820
  assertAlmostEquals(passAtK(100, 1, 16), 0.16, 1e-12); // one correct sample: k/n
  assertAlmostEquals(passAtK(8, 3, 8), 1, 0);
});

Deno.test("passAtK edge cases: none correct, all correct, fewer wrong than k", () => {
  assertEquals(passAtK(16, 0, 16), 0);
  assertEquals(passAtK(16, 16, 1), 1);
  assertEquals(passAtK(16, 13, 4), 1); // only 3 wrong: any 4 include a correct one
});

Deno.test("passAtK is stable for large n (no binomial overflow)", () => {
  // C(10000, 500) overflows a double; the product form does not.
  const value = passAtK(10_000, 1, 500);
  assertAlmostEquals(value, 0.05, 1e-12);
  // 1 − ∏_{i<64} (9700 − i)/(10000 − i), computed exactly with rationals: 0.8585276891503817.
  assertAlmostEquals(passAtK(10_000, 300, 64), 0.8585276891503817, 1e-12);
});

Deno.test("passAtK refuses impossible arguments", () => {
  assertThrows(() => passAtK(10, 11, 1), RangeError, "c ≤ n");
  assertThrows(() => passAtK(10, 1, 0), RangeError, "1 ≤ k ≤ n");
  assertThrows(() => passAtK(10, 1, 11), RangeError, "1 ≤ k ≤ n");
  assertThrows(() => passAtK(10, 1.5, 1), RangeError, "integers");
});
