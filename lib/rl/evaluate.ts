/**
 * Held-out evaluation: n samples per problem from a policy (or a pool of its copies), each judged by the domain's
 * verifier; the unbiased pass@1 and pass@k, and every problem's count of correct samples so that pass@k curves and
 * the gain split can be computed later from saved results.
 *
 * @example
 * ```ts
 * import { evaluatePolicy, generateDomain, Policy, Tokenizer } from "../mod.ts";
 * const { test } = generateDomain("math", { train: 0, test: 4 });
 * const policy = Policy.create(Tokenizer.fromTexts(test.flatMap((p) => [p.prompt, p.solution])), { dModel: 16, layers: 1, heads: 2 });
 * const result = await evaluatePolicy(policy, test, { n: 2, maxTokens: 8 });
 * console.log(result.passAt1, result.problems[0]);
 * ```
 *
 * @module
 */
import type { Sampler } from "../policy/policy.ts";
import type { HintStyle, Problem } from "../data/schema.ts";
import { verifierDomain } from "../data/schema.ts";
import { passAtK } from "../metrics/passk.ts";
import { verifyGroup } from "../verifiers/mod.ts";

/** What {@link evaluatePolicy} measured: the means and every problem's count of correct samples. */
export interface Evaluation {
  passAt1: number;
  passAtK: number;
  /** Samples per problem. */
  n: number;
  k: number;
  /** One entry per problem, in order. */
  problems: { id: string; tier: number; correct: number }[];
}

/** Options of {@link evaluatePolicy}. */
/**
 * The evaluations' sampling seed: a run's evaluation at step s samples with `EVAL_SEED + s`, the base's draw d with
 * `EVAL_SEED + 1_000_003 · d` (so draw 0 is a run's step 0). One constant, so the three can never drift apart.
 */
export const EVAL_SEED = 7_777;

export interface EvaluateOptions {
  /** Samples per problem (default 8). */
  n?: number;
  /** k of the reported pass@k (default n). */
  k?: number;
  maxTokens?: number;
  temperature?: number;
  /** Sampling seed (default {@link EVAL_SEED}): the same seed and policy give the same samples. */
  seed?: number;
  /** Sample with each problem's hint of this style in context (default: the plain context). */
  hintStyle?: HintStyle;
}

/** pass@1 and pass@k of `policy` on `problems`, in the plain context (or the hinted one, with `hintStyle`). */
export async function evaluatePolicy(
  policy: Sampler,
  problems: Problem[],
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  if (problems.length === 0) throw new Error("evaluate: no problems");
  const n = options.n ?? 8;
  const k = Math.min(options.k ?? n, n);
  const style = options.hintStyle;
  const contexts = problems.map((p) => (style ? { prompt: p.prompt, hint: p.hints[style] } : p.prompt));
  const groups = await policy.sample(contexts, {
    n,
    maxTokens: options.maxTokens ?? 64,
    temperature: options.temperature ?? 1,
    seed: options.seed ?? EVAL_SEED,
  });
  let at1 = 0;
  let atK = 0;
  const counted: Evaluation["problems"] = [];
  for (const [i, problem] of problems.entries()) {
    const verdicts = await verifyGroup(verifierDomain(problem.domain), groups[i].map((c) => c.text), problem.answer);
    const c = verdicts.filter((v) => v.correct).length;
    at1 += passAtK(n, c, 1);
    atK += passAtK(n, c, k);
    counted.push({ id: problem.id, tier: problem.tier, correct: c });
  }
  return { passAt1: at1 / problems.length, passAtK: atK / problems.length, n, k, problems: counted };
}

/** The first `perTier` problems of each of `tiers`, in tier order: the held-out set of a run's evaluations. */
export function evaluationProblems(test: Problem[], tiers: number[], perTier: number): Problem[] {
  return tiers.flatMap((tier) => test.filter((p) => p.tier === tier).slice(0, perTier));
}
