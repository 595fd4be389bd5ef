/**
 * Rollout: G completions per prompt, judged by the domain's verifier; for Guide, a group whose mean reward is at
 * most the threshold is resampled from the hinted context (q, h) and the hinted group replaces it (`mixin` keeps the
 * hinted successes and fills the group with the plain failures; `balanced` keeps half the plain group and draws the
 * other half hinted; `alwaysHint` regroups every prompt). With filtering (Filter-GRPO, Guide-GRPO), groups whose
 * rewards are all equal carry no signal and are dropped, and more prompts are drawn — at most `maxResample` extra
 * rounds — to refill the batch; the report says how full it got.
 *
 * @module
 */
import type { Completion } from "../policy/sample.ts";
import type { Sampler } from "../policy/policy.ts";
import { type Problem, verifierDomain } from "../data/schema.ts";
import type { HintStyle } from "../data/schema.ts";
import type { RunConfig } from "../config/schema.ts";
import { verifyGroup } from "../verifiers/mod.ts";
import type { RolloutGroup, RolloutSample } from "./batch.ts";
import { hintedDraws, needsHint, regroup, regroupMode } from "./guide.ts";
import type { GuidanceMethod } from "./methods.ts";
import { informative } from "./core.ts";

/** Settings of a rollout. */
export type RolloutSettings = {
  /** The run config's sections, whole (typed by the schema): group size, sampling, refills; Guide's regrouping. */
  rollout: RunConfig["rollout"];
  guide: RunConfig["guide"];
  /** Which of a problem's hints goes in context (`data.hintStyle`). */
  hintStyle: HintStyle;
  /** Regroup failed groups with the hint (Guide). */
  hints: boolean;
  /** Drop all-equal groups and refill (Filter-GRPO, Guide-GRPO). */
  filter: boolean;
  /** A guidance method's regrouping in place of Guide's (`methods.ts`), for its algorithms. */
  method?: GuidanceMethod;
  /** Token ids of a worked solution as a completion (the policy's tokenizer), for `gold` guidance. */
  encodeSolution?: (text: string) => number[];
};

/** A group with the problem it came from. */
export interface JudgedGroup extends RolloutGroup {
  problem: Problem;
}

/** What a rollout did. */
export interface RolloutStats {
  /** Groups wanted. */
  target: number;
  /** Groups kept (informative, when filtering). */
  kept: number;
  /** kept / target. */
  fill: number;
  /** Sampling rounds (1 + refills). */
  rounds: number;
  /** Prompts sampled in all. */
  prompts: number;
  /** Completions sampled in all (plain and hinted). */
  completions: number;
  /** Groups that were regrouped with the hint. */
  hintedGroups: number;
  /** Mean reward of the first plain samples of every prompt. */
  plainReward: number;
}

/** Judge a problem's completions together (for code: one sandbox process), as rollout samples. */
async function judge(problem: Problem, completions: Completion[], hinted: boolean): Promise<RolloutSample[]> {
  const verdicts = await verifyGroup(verifierDomain(problem.domain), completions.map((c) => c.text), problem.answer);
  return completions.map((completion, i) => ({
    ids: completion.ids,
    text: completion.text,
    reward: verdicts[i].correct ? 1 : 0,
    oldLogprobs: completion.policyLogprobs,
    hinted,
  }));
}

/** A problem's worked solution as an off-policy sample: judged like any completion, old log-probs 0. */
async function judgeSolution(problem: Problem, encode: (text: string) => number[]): Promise<RolloutSample> {
  const [verdict] = await verifyGroup(verifierDomain(problem.domain), [problem.solution], problem.answer);
  const ids = encode(problem.solution);
  return { ids, text: problem.solution, reward: verdict.correct ? 1 : 0, oldLogprobs: ids.map(() => 0), hinted: true };
}

/**
 * Sample, judge and (for Guide) regroup with hints. `problems` are the step's prompts; `more(count)` supplies
 * further prompts for refills. `seed` makes the whole rollout reproducible; `progress` (the share of the run behind this
 * step, 0 to 1) is what a method's guidance schedule reads.
 */
export async function collectGroups(
  sampler: Sampler,
  problems: Problem[],
  more: (count: number) => Problem[],
  settings: RolloutSettings,
  seed: number,
  progress = 0,
): Promise<{ groups: JudgedGroup[]; stats: RolloutStats }> {
  const target = problems.length;
  const kept: JudgedGroup[] = [];
  const stats: RolloutStats = {
    target,
    kept: 0,
    fill: 0,
    rounds: 0,
    prompts: 0,
    completions: 0,
    hintedGroups: 0,
    plainReward: 0,
  };
  let plainRewardSum = 0;
  let batch = problems;
  const { rollout, guide } = settings;
  const G = rollout.groupSize;
  const { method } = settings;
  const mode = regroupMode(guide);
  const guidedDraws = method ? method.draws(G) : hintedDraws(G, mode);
  const options = { maxTokens: rollout.maxTokens, temperature: rollout.temperature, topP: rollout.topP };
  // The official balanced split: every prompt n/2 plain + n/2 hinted, drawn as such (no full plain group first).
  const splitEvery = !method && settings.hints && mode === "balanced" && guide.balancedSplit === "every";
  const plainDraws = method ? method.plainDraws(G) : splitEvery ? G - hintedDraws(G, mode) : G;
  if (method?.guidance === "gold" && !settings.encodeSolution) {
    throw new Error(`${method.name}: gold guidance needs RolloutSettings.encodeSolution (the policy's tokenizer)`);
  }
  const regrouped = new Set<JudgedGroup>();
  while (batch.length > 0) {
    const round = stats.rounds++;
    const plain = await sampler.sample(batch.map((p) => p.prompt), {
      ...options,
      n: plainDraws,
      seed: seed * 1000 + 2 * round,
    });
    stats.prompts += batch.length;
    stats.completions += batch.length * plainDraws;
    const groups: JudgedGroup[] = await Promise.all(batch.map(async (problem, i) => {
      const samples = await judge(problem, plain[i], false);
      plainRewardSum += samples.reduce((s, x) => s + x.reward, 0) / plainDraws;
      return { problem, prompt: problem.prompt, samples };
    }));
    if (method?.guidance === "gold") {
      // Every group: the worked solution joins the plain draws, off-policy (probability 1 under its "behaviour").
      await Promise.all(groups.map(async (group) => {
        const gold = await judgeSolution(group.problem, settings.encodeSolution!);
        group.plainRewards = group.samples.map((s) => s.reward);
        group.samples = method.regroup(group.samples, [gold], G);
        regrouped.add(group);
      }));
    } else if (settings.hints) {
      const needing = groups.filter((g) =>
        splitEvery || guide.alwaysHint || needsHint(g.samples.map((s) => s.reward), guide.threshold)
      );
      // Each failed group's levels of guidance (Guide: its one hint), drawn in order until a level's draws succeed.
      const levels = new Map(needing.map((g) => [
        g,
        method ? method.hints(g.problem, settings.hintStyle, progress) : [g.problem.hints[settings.hintStyle]],
      ]));
      const guided = new Map<JudgedGroup, { hint: string; drawn: RolloutSample[] }>();
      let pending = needing.filter((g) => levels.get(g)!.length > 0);
      for (let level = 0; pending.length > 0; level++) {
        const hints = pending.map((g) => levels.get(g)![level]);
        const hinted = await sampler.sample(
          pending.map((g, i) => ({ prompt: g.prompt, hint: hints[i] })),
          { ...options, n: guidedDraws, seed: seed * 1000 + 2 * round + 1 + 100 * level },
        );
        stats.completions += hinted.length * guidedDraws;
        const drawn = await Promise.all(pending.map((group, i) => judge(group.problem, hinted[i], true)));
        pending.forEach((group, i) => guided.set(group, { hint: hints[i], drawn: drawn[i] }));
        pending = pending.filter((g, i) => level + 1 < levels.get(g)!.length && !drawn[i].some((s) => s.reward > 0));
      }
      for (const [group, { hint, drawn }] of guided) {
        const plainSamples = group.samples;
        group.hint = hint;
        group.plainRewards = plainSamples.map((s) => s.reward);
        group.samples = method ? method.regroup(plainSamples, drawn, G) : regroup(plainSamples, drawn, mode, G);
        regrouped.add(group);
        if (!method && mode === "mixin" && guide.mixinCopies === "hinted") {
          // The official run marks the whole regrouped group off-policy, copied plain failures included.
          group.samples = group.samples.map((s) => ({ ...s, hinted: true }));
        }
        stats.hintedGroups++;
      }
    }
    for (const group of groups) {
      const rewards = group.samples.map((s) => s.reward);
      const trains = method && regrouped.has(group) ? method.keep(rewards) : informative(rewards);
      if (!settings.filter || trains) kept.push(group);
    }
    const missing = target - kept.length;
    if (!settings.filter || missing <= 0 || stats.rounds > rollout.maxResample) break;
    batch = more(missing);
  }
  stats.kept = Math.min(kept.length, target);
  stats.fill = target > 0 ? stats.kept / target : 0;
  stats.plainReward = stats.prompts > 0 ? plainRewardSum / stats.prompts : 0;
  return { groups: kept.slice(0, target), stats };
}
