// The batches an SFT warm-up would train on, recorded by a stand-in trainer that takes no step: what the SFT tests
// inspect (which examples, hinted or plain, in which order).
import { Policy, sft, type SftSettings, Tokenizer, type TrainSpec } from "../lib/mod.ts";
import type { Problem } from "../lib/data/schema.ts";

/** Run `sft` on `problems` with a recording trainer; the specs of every step, in order. */
export async function sftBatches(policy: Policy, problems: Problem[], settings: SftSettings): Promise<TrainSpec[]> {
  const specs: TrainSpec[] = [];
  const recorder = {
    policy,
    train: (spec: TrainSpec) => {
      specs.push(spec);
      return Promise.resolve({ loss: 0, gradNorm: 0, step: specs.length, metrics: {} });
    },
  };
  await sft(recorder, problems, settings);
  return specs;
}

/** A tiny policy over the vocabulary of `problems` (prompts, solutions, every hint): the SFT tests' stand-in model. */
export function tinyPolicy(problems: Problem[]): Policy {
  const tokenizer = Tokenizer.fromTexts(problems.flatMap((p) => [p.prompt, p.solution, ...Object.values(p.hints)]));
  return Policy.create(tokenizer, { dModel: 16, layers: 1, heads: 2, ctx: 96 });
}
