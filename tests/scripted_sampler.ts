/**
 * A sampler for rollout tests: it fails every plain prompt and solves hinted ones in the first `solved` draws of each
 * group (only under the hints `solves` accepts, when given), recording each call (hinted or not, draws) and the hint
 * of each hinted context.
 *
 * @module
 */
import type { Completion, ContextInput, Problem } from "../lib/mod.ts";

export function scriptedSampler(problems: Problem[], solved: number, solves: (hint: string) => boolean = () => true) {
  const byPrompt = new Map(problems.map((p) => [p.prompt, p]));
  const calls: { hinted: boolean; n: number }[] = [];
  const hints: string[] = [];
  return {
    calls,
    hints,
    sample(contexts: ContextInput[], options: { n?: number }): Promise<Completion[][]> {
      const n = options.n ?? 1;
      return Promise.resolve(contexts.map((context) => {
        const hinted = typeof context === "object" && !Array.isArray(context) && context.hint !== undefined;
        calls.push({ hinted, n });
        const hint = hinted ? (context as { hint: string }).hint : undefined;
        if (hint !== undefined) hints.push(hint);
        const problem = byPrompt.get(typeof context === "string" ? context : (context as { prompt: string }).prompt)!;
        return Array.from({ length: n }, (_, i): Completion => {
          const text = hint !== undefined && i < solved && solves(hint) ? `\\boxed{${problem.answer}}` : "\\boxed{0}";
          return { ids: [5, 6, 7], text, logprobs: [-1, -1, -1], policyLogprobs: [-1, -1, -1], finishReason: "stop" };
        });
      }));
    },
  };
}
