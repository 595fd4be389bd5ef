/**
 * A sampler for rollout tests: it fails every plain prompt and solves hinted ones in the first `solved` draws of each
 * group, recording each call (hinted or not, draws).
 *
 * @module
 */
import type { Completion, ContextInput, Problem } from "../lib/mod.ts";

export function scriptedSampler(problems: Problem[], solved: number) {
  const byPrompt = new Map(problems.map((p) => [p.prompt, p]));
  const calls: { hinted: boolean; n: number }[] = [];
  return {
    calls,
    sample(contexts: ContextInput[], options: { n?: number }): Promise<Completion[][]> {
      const n = options.n ?? 1;
      return Promise.resolve(contexts.map((context) => {
        const hinted = typeof context === "object" && !Array.isArray(context) && context.hint !== undefined;
        calls.push({ hinted, n });
        const problem = byPrompt.get(typeof context === "string" ? context : (context as { prompt: string }).prompt)!;
        return Array.from({ length: n }, (_, i): Completion => {
          const text = hinted && i < solved ? `\\boxed{${problem.answer}}` : "\\boxed{0}";
          return { ids: [5, 6, 7], text, logprobs: [-1, -1, -1], policyLogprobs: [-1, -1, -1], finishReason: "stop" };
        });
      }));
    },
  };
}
