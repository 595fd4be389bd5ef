/**
 * Science problems: four-option quantitative questions on rates and simple kinematics, answered by a letter.
 * Tier 1: speed from distance and time; 2: the same with a unit conversion; 3: distance or time from a rate;
 * 4: final speed under constant acceleration; 5: distance under constant acceleration. The wrong options are the
 * results of typical mistakes (inverted formula, skipped conversion, a dropped term), so eliminating them takes the
 * same reasoning as solving. Hints: `strategy` names the formula, `value` one intermediate quantity, `prefix` the
 * first step verbatim.
 *
 * @module
 */
import { Rng } from "../random.ts";
import { type DomainSpec, even, type Problem } from "./spec.ts";

const LETTERS = ["A", "B", "C", "D"];

interface Draft {
  question: string;
  unit: string;
  correct: number;
  wrong: number[];
  strategy: string;
  value: string;
  steps: string[];
}

function draft(rng: Rng, tier: number): Draft {
  switch (tier) {
    case 1: {
      const v = rng.int(2, 40);
      const t = rng.int(2, 20);
      const d = v * t;
      return {
        question: `A cart travels ${d} m in ${t} s. What is its average speed?`,
        unit: "m/s",
        correct: v,
        wrong: [d * t, v + t, d - t],
        strategy: "use v = d / t",
        value: `the time is ${t} s`,
        steps: [`v = ${d} / ${t}`, `v = ${v} m/s`],
      };
    }
    case 2: {
      const v = rng.int(2, 30);
      const minutes = rng.int(2, 15);
      const d = v * minutes * 60;
      return {
        question: `A runner covers ${d} m in ${minutes} min. What is the speed in m/s?`,
        unit: "m/s",
        correct: v,
        wrong: [v * 60, d * minutes, v + 60],
        strategy: "convert minutes to seconds, then use v = d / t",
        value: `the time is ${minutes * 60} s`,
        steps: [`t = ${minutes} * 60 = ${minutes * 60} s`, `v = ${d} / ${minutes * 60}`, `v = ${v} m/s`],
      };
    }
    case 3: {
      const v = rng.int(3, 30);
      const t = rng.int(3, 40);
      const d = v * t;
      if (rng.next() < 0.5) {
        return {
          question: `A drone flies at ${v} m/s for ${t} s. How far does it fly?`,
          unit: "m",
          correct: d,
          wrong: [v + t, d + v, d - t],
          strategy: "use d = v * t",
          value: `the speed is ${v} m/s`,
          steps: [`d = ${v} * ${t}`, `d = ${d} m`],
        };
      }
      return {
        question: `A boat moves at ${v} m/s. How long does it take to cover ${d} m?`,
        unit: "s",
        correct: t,
        wrong: [d * v, d - v, t + v],
        strategy: "use t = d / v",
        value: `the distance is ${d} m`,
        steps: [`t = ${d} / ${v}`, `t = ${t} s`],
      };
    }
    case 4: {
      const u = rng.int(0, 20);
      const a = rng.int(2, 9);
      const t = rng.int(2, 12);
      const v = u + a * t;
      return {
        question: `A car at ${u} m/s accelerates at ${a} m/s^2 for ${t} s. What is its final speed?`,
        unit: "m/s",
        correct: v,
        wrong: [a * t, u * a * t + 1, u + a + t],
        strategy: "use v = u + a * t",
        value: `a * t is ${a * t} m/s`,
        steps: [`v = ${u} + ${a} * ${t}`, `v = ${u} + ${a * t}`, `v = ${v} m/s`],
      };
    }
    default: {
      const u = rng.int(1, 15);
      const a = 2 * rng.int(1, 5);
      const t = rng.int(2, 10);
      const s = u * t + (a * t * t) / 2;
      return {
        question: `A sled starts at ${u} m/s and accelerates at ${a} m/s^2 for ${t} s. How far does it go?`,
        unit: "m",
        correct: s,
        wrong: [u * t, u * t + a * t * t, s + u],
        strategy: "use s = u * t + a * t^2 / 2",
        value: `u * t is ${u * t} m`,
        steps: [`s = ${u} * ${t} + ${a} * ${t}^2 / 2`, `s = ${u * t} + ${(a * t * t) / 2}`, `s = ${s} m`],
      };
    }
  }
}

/** One science problem of `tier`, or null when the draw makes ambiguous options. */
export function scienceProblem(rng: Rng, tier: number): Omit<Problem, "id" | "split"> | null {
  const d = draft(rng, tier);
  const options = [d.correct, ...d.wrong];
  if (new Set(options).size !== 4 || options.some((o) => o <= 0)) return null;
  // Shuffle (Fisher–Yates) so the correct letter is uniform.
  for (let i = options.length - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [options[i], options[j]] = [options[j], options[i]];
  }
  const letter = LETTERS[options.indexOf(d.correct)];
  const listed = options.map((o, i) => `(${LETTERS[i]}) ${o} ${d.unit}`).join(" ");
  const hints = { strategy: d.strategy, value: d.value, prefix: d.steps[0] };
  if (Object.values(hints).some((h) => new RegExp(`(^|\\D)${d.correct} ${d.unit}`).test(h))) return null;
  return {
    domain: "science",
    tier,
    prompt: `${d.question} ${listed}`,
    answer: letter,
    hint: hints.strategy,
    hints,
    solution: `${d.steps.join("; ")}; the answer is (${letter})`,
  };
}

/** The `science` domain: its generator, verifier, sizes, keys and card (registered in `./domains.ts`). */
export const scienceDomain: DomainSpec = {
  name: "science",
  verifier: "choice",
  generate: scienceProblem,
  // Tier 2 asks 406 questions in all (speed from metres and minutes): 100 test and 100 validation leave 206 to train.
  sizes: { test: even(500), validation: [256, 100, 256, 256, 256], train: even(20_000) },
  canonicalKey: (problem) => problem.prompt.replace(/ \(A\) .*$/, ""),
  card: {
    summary: "Four-option questions on rates and kinematics, answered by a letter; wrong options are the results of " +
      "typical mistakes (an inverted formula, a skipped conversion, a dropped term), so eliminating them takes the " +
      "same reasoning as solving. Four options make a guesser's pass@16 high by nature: read science pass@k against " +
      "that floor.",
    tiers: [
      "speed from distance and time",
      "speed with a unit conversion",
      "distance or time from a rate",
      "final speed under constant acceleration",
      "distance under constant acceleration",
    ],
    hints: {
      strategy: "the formula (`use v = d / t`)",
      value: "one given or intermediate quantity (`the time is 120 s`)",
      prefix: "the first step (`v = 228 / 12`)",
    },
    key: "the question without its options (only the options' order is free: a question's operands have roles, an " +
      "acceleration is not a time)",
    sizes: "tier 2 asks 406 questions in all (speed from metres and minutes), so it validates on 100",
    examples: [1, 4],
  },
};
