/**
 * A small seeded pseudo-random generator (sfc32), so that weight initialisation and sampling are reproducible and
 * identical on every backend: the random numbers come from JavaScript, not from the backend.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "./random.ts";
 * const a = new Rng(42), b = new Rng(42);
 * assert.deepEqual([a.next(), a.int(1, 6), a.normal()], [b.next(), b.int(1, 6), b.normal()]); // same seed, same numbers
 * const x = a.next();
 * assert.ok(x >= 0 && x < 1);
 * ```
 *
 * @module
 */

/** Seeded generator of uniform and normal numbers. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(seed: number) {
    // Spread the seed over the four words (splitmix32), then discard the first outputs.
    let s = seed >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform integer in [lo, hi] (inclusive; the modulo bias is below 1e-5 for ranges under 40,000). */
  int(lo: number, hi: number): number {
    return lo + (this.nextUint32() % (hi - lo + 1));
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A standard normal number (Box–Muller). */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
