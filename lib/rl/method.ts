/**
 * What a guidance method is (`methods.ts` registers them): how it regroups a failed group with guided draws, and how
 * a guided sample trains.
 *
 * @module
 */

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
  /** Guided draws for a failed group of `groupSize` (`hint` guidance). */
  draws(groupSize: number): number;
  /** The group after regrouping: from the plain samples and the guided ones (each flagged `hinted`). */
  regroup<S extends { reward: number }>(plain: S[], guided: S[], groupSize: number): S[];
  /** Does a regrouped group train (be kept by filtering)? */
  keep(rewards: number[]): boolean;
  /** How a sample trains, by whether it was drawn with guidance. */
  role(guided: boolean): GuidedRole;
}
