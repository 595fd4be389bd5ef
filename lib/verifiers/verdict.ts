/**
 * What every verifier returns: whether the response is right and, when it is not, why (one line, no machine paths).
 *
 * @module
 */

/** A verifier's judgement of one response. */
export interface Verdict {
  correct: boolean;
  reason?: string;
}
