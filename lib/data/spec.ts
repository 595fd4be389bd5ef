/**
 * What a domain is: the problem line every domain writes ({@link Problem}) and the contract a domain file fills
 * ({@link DomainSpec}): its generator, its verifier, its default sizes, how its problems are keyed and hinted, and
 * the words its section of the dataset card is made of. The registry (`./domains.ts`) lists the domain files; nothing
 * else in the kit names a domain.
 *
 * @module
 */
import type { Rng } from "../random.ts";
import type { Domain } from "../verifiers/mod.ts";
import type { CodeGold } from "../verifiers/code.ts";
import type { ProgramGold } from "../verifiers/program.ts";

/** Hint styles: `strategy` names the method (default), `value` gives one intermediate value, `prefix` gives the
 * first solution steps verbatim (the ablation the toy testbed showed to fail). */
export const HINT_STYLES = ["strategy", "value", "prefix"] as const;
/** A hint style. */
export type HintStyle = typeof HINT_STYLES[number];

/** Tiers of every domain: 1 (easiest) to 5. */
export const TIERS = 5;

/** The splits, in the order they are drawn: test first, then validation, then train skipping both. */
export const SPLITS = ["test", "validation", "train"] as const;
/** A split. */
export type Split = typeof SPLITS[number];

/** One problem. */
export interface Problem {
  id: string;
  /** The name of a registered domain (`lib/data/domains.ts`). */
  domain: string;
  /** `train` for SFT and RL, `validation` for calibration and choices, `test` only for the final evaluation. */
  split: Split;
  tier: number;
  prompt: string;
  /** Gold as the verifier of the domain takes it: a math answer string, a choice letter, code or program tests. */
  answer: string | CodeGold | ProgramGold;
  /** The hint in the default style (`strategy`). */
  hint: string;
  hints: Record<HintStyle, string>;
  /** A worked solution that the verifier accepts. */
  solution: string;
  /**
   * Validation and test only: true when the fact the `value` hint gives occurs in no training prompt, solution or hint
   * (`lib/data/splits.ts`): the novel-hint subset. Absent on training problems and on external data.
   */
  novelHint?: boolean;
}

/** A problem as a generator draws it: the split and the id come from where it lands. */
export type GeneratedProblem = Omit<Problem, "id" | "split">;

/** Problems per tier of each split. */
export type TierSizes = Record<Split, number[]>;

/** `total` problems spread evenly over the tiers (the first tiers take the remainder). */
export function even(total: number): number[] {
  return Array.from({ length: TIERS }, (_, t) => Math.floor(total / TIERS) + (t < total % TIERS ? 1 : 0));
}

/** The words of a domain's section of the dataset card (`lib/data/card.ts`): parameters and design, no results. */
export interface DomainCard {
  /** What the domain is and how its solutions read (Markdown, one paragraph). */
  summary: string;
  /** What each tier asks, tier 1 first ({@link TIERS} entries). */
  tiers: string[];
  /** What each hint style gives in this domain. */
  hints: Record<HintStyle, string>;
  /** How its canonical key is made (`DomainSpec.canonicalKey`): what two problems share when they share a key. */
  key: string;
  /** The facts held out of training (`DomainSpec.heldOutFacts`), when it holds some. */
  heldOut?: string;
  /** Why a split's sizes differ from the others', when they do. */
  sizes?: string;
  /** The tiers whose seeded example problems the card shows. */
  examples: number[];
}

/** A hinted SFT example in another valid order (`sft.alternativeFraction`), or null when the problem has none. */
export type Alternative = (problem: Problem, rng: Rng) => { hint: string; solution: string } | null;

/** A domain: everything the kit knows of it, in one value that its own file exports. */
export interface DomainSpec {
  /** Its name: `Problem.domain`, `data.domain` in a config, the folder `datasets/<name>/`. */
  name: string;
  /** The verifier that judges its answers (`lib/verifiers/mod.ts`). */
  verifier: Domain;
  /** One problem of `tier` (1 to {@link TIERS}), or null when this draw breaks a rule (generation draws again). */
  generate(rng: Rng, tier: number): GeneratedProblem | null;
  /** Default problems per tier of each split. */
  sizes: TierSizes;
  /**
   * The canonical key (`lib/data/splits.ts`): equal for problems that differ only by the order of commutative
   * operands, so that no two splits share a problem up to that order.
   */
  canonicalKey(problem: Pick<Problem, "prompt" | "solution">): string;
  /**
   * The texts that state the fact the `value` hint gives (the novel-hint subset reads them); default: the hint's
   * sentence.
   */
  hintFacts?(problem: Pick<Problem, "prompt" | "hints">): string[];
  /** The facts held out of training by construction (one operand order each), drawn from `seed`; default: none. */
  heldOutFacts?(seed: number): string[];
  /** What is wrong with a line's `answer`, or null when it is gold this verifier takes; default: a non-empty string. */
  checkAnswer?(answer: unknown): string | null;
  /** The SFT's hinted examples in another valid order, when the domain has them. */
  alternative?: Alternative;
  /**
   * A worked solution's steps in order, the last one holding the answer (partial-solution guidance, QuestA and
   * Scaf-GRPO, reveals a share of the others); default: the solution split at `;`.
   */
  solutionSteps?(solution: string): string[];
  /** Its section of the dataset card. */
  card: DomainCard;
}
