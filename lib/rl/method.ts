/**
 * What a guidance method is (`methods.ts` registers them): how it regroups a failed group with guided draws, and how
 * a guided sample trains.
 *
 * @module
 */
import type { HintStyle, Problem } from "../data/schema.ts";

/** What of a problem guidance may read: its domain, worked solution and hints. */
export type GuidedProblem = Pick<Problem, "domain" | "solution" | "hints">;

/** How a guided (hinted) sample trains. */
export interface GuidedRole {
  /** The context its row is trained in. */
  context: "plain" | "hinted";
  /** Its tokens take Guide's hinted loss (shaped or unit, `guide.weighting`). */
  hintedLoss: boolean;
  /** Its tokens are SFT targets: −log π per token, no advantage, no ratio. */
  sft: boolean;
  /** γ of its tokens' shaping f(r) = r/(r + γ), fixed by the method (else the step's γ). */
  gamma?: number;
}

/** A guidance method: what differs from GRPO when a group fails (hints only where `guide.threshold` says). */
export interface GuidanceMethod {
  /** The `algorithm` name a config gives. */
  name: string;
  /**
   * Where guidance comes from: `hint`, draws with the hint in context for a group that failed (`guide.threshold`);
   * `gold`, the problem's worked solution, off-policy, joining every group (nothing sampled for it).
   */
  guidance: "hint" | "gold";
  /** Plain draws per prompt. */
  plainDraws(groupSize: number): number;
  /** Guided draws for a failed group of `groupSize`, at each level of guidance tried (`hint` guidance). */
  draws(groupSize: number): number;
  /**
   * The guidance texts to put in context for a failed group, in the order they are tried, at `progress` (the share of
   * the run behind this step, 0 to 1; `style` is `data.hintStyle`): a level is drawn only while no earlier level's
   * draws hold a success, and the group is regrouped with the last level drawn, whose text is its hinted context.
   * None: no guidance this step (the group stays as sampled). `gold` guidance: unused.
   */
  hints(problem: GuidedProblem, style: HintStyle, progress: number): string[];
  /** The group after regrouping: from the plain samples and the guided ones (each flagged `hinted`). */
  regroup<S extends { reward: number }>(plain: S[], guided: S[], groupSize: number): S[];
  /** Does a regrouped group train (be kept by filtering)? */
  keep(rewards: number[]): boolean;
  /** How a sample trains, by whether it was drawn with guidance. */
  role(guided: boolean): GuidedRole;
}
