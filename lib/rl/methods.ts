/**
 * Guidance methods beside Guide, registered by name so that a grid says `algorithm: <name>`: each is a small module
 * holding its whole difference from GRPO as pure functions (how a failed group is regrouped with guided draws, and how
 * a guided sample trains), and the rollout, the step and the trainer only call them. Guide's own rules stay in
 * `guide.ts` (its regroup modes and IS correction are knobs of `guide-grpo`/`guide-ppo`). A method is a
 * {@link GuidanceMethod} (`method.ts`); adding one is its module and its entry below.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guidanceMethod } from "./methods.ts";
 * assert.equal(guidanceMethod("nurl")?.draws(8), 7);
 * assert.equal(guidanceMethod("guide-grpo"), undefined); // Guide regroups by its own rules
 * ```
 *
 * @module
 */
import type { GuidanceMethod } from "./method.ts";
import { luffy } from "./luffy.ts";
import { nurl } from "./nurl.ts";
import { questa } from "./questa.ts";
import { rationalization } from "./rationalization.ts";
import { scafGrpo } from "./scaf.ts";

export type { GuidanceMethod, GuidedProblem, GuidedRole } from "./method.ts";

/** The registered methods, by name. */
export const GUIDANCE_METHODS: Readonly<Record<string, GuidanceMethod>> = Object.fromEntries(
  [nurl, rationalization, luffy, questa, scafGrpo].map((m) => [m.name, m]),
);

/** The method an algorithm name registers, or `undefined` for the algorithms that are not one (GRPO, Guide, PPO). */
export function guidanceMethod(algorithm: string): GuidanceMethod | undefined {
  return Object.hasOwn(GUIDANCE_METHODS, algorithm) ? GUIDANCE_METHODS[algorithm] : undefined;
}
