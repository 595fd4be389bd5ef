/**
 * The dataset line (`docs/design.md`, "Contracts"): `{id, domain, split, tier, prompt, answer, hint, solution}`, plus
 * `hints`, the same problem's hint in every named style, and on validation and test problems `novelHint`. Reading a JSONL file checks every line and fails with one
 * error naming the file, the line and the key.
 *
 * @module
 */
import type { CodeGold } from "../verifiers/code.ts";
import type { ProgramGold } from "../verifiers/program.ts";
import { DATASET_VERIFIERS, type Domain } from "../verifiers/mod.ts";

/** Hint styles: `strategy` names the method (default), `value` gives one intermediate value, `prefix` gives the
 * first solution steps verbatim (the ablation the toy testbed showed to fail). */
export const HINT_STYLES = ["strategy", "value", "prefix"] as const;
/** A hint style. */
export type HintStyle = typeof HINT_STYLES[number];

/** One problem. */
export interface Problem {
  id: string;
  domain: "math" | "science" | "code" | "arith" | "physics" | "powers" | "programs";
  /** `train` for SFT and RL, `validation` for calibration and choices, `test` only for the final evaluation. */
  split: "train" | "validation" | "test";
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

/** Tiers of every domain: 1 (easiest) to 5. */
export const TIERS = 5;

/**
 * The verifier domain of a dataset domain (science questions are multiple choice; `programs` run on hidden tests;
 * the chain domains match exactly).
 */
export function verifierDomain(domain: Problem["domain"]): Domain {
  return DATASET_VERIFIERS[domain];
}

/** A problem line that does not fit the schema: names the file, line and key. */
export class DatasetError extends Error {
  constructor(file: string, line: number, key: string, problem: string) {
    super(`${file}:${line}: key "${key}": ${problem}`);
    this.name = "DatasetError";
  }
}

/** Check one parsed line; throws {@link DatasetError}. */
export function checkProblem(value: unknown, file: string, line: number): Problem {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new DatasetError(file, line, "(line)", "not a JSON object");
  }
  const p = value as Record<string, unknown>;
  const text = (key: string) => {
    if (typeof p[key] !== "string" || (p[key] as string).length === 0) {
      throw new DatasetError(file, line, key, `expected a non-empty string, got ${JSON.stringify(p[key])}`);
    }
  };
  for (const key of ["id", "prompt", "hint", "solution"]) text(key);
  if (!["math", "science", "code", "arith", "physics", "powers", "programs"].includes(p.domain as string)) {
    throw new DatasetError(
      file,
      line,
      "domain",
      `expected math, science, code, arith, physics, powers or programs, got ${JSON.stringify(p.domain)}`,
    );
  }
  if (!["train", "validation", "test"].includes(p.split as string)) {
    throw new DatasetError(file, line, "split", `expected train, validation or test, got ${JSON.stringify(p.split)}`);
  }
  if (p.novelHint !== undefined && typeof p.novelHint !== "boolean") {
    throw new DatasetError(file, line, "novelHint", `expected true or false, got ${JSON.stringify(p.novelHint)}`);
  }
  if (!Number.isInteger(p.tier) || (p.tier as number) < 1) {
    throw new DatasetError(file, line, "tier", `expected a positive integer, got ${JSON.stringify(p.tier)}`);
  }
  if (p.domain === "code") {
    const gold = p.answer as CodeGold;
    if (!gold || typeof gold !== "object" || !Array.isArray(gold.tests) || gold.tests.length === 0) {
      throw new DatasetError(file, line, "answer", "code gold must be {entry?, tests: [{args, expected}, …]}");
    }
  } else if (p.domain === "programs") {
    const gold = p.answer as ProgramGold;
    const numbers = (v: unknown) => Array.isArray(v) && v.every(Number.isSafeInteger);
    if (
      !gold || typeof gold !== "object" || !Array.isArray(gold.params) ||
      !gold.params.every((n) => typeof n === "string") || !Array.isArray(gold.tests) || gold.tests.length === 0 ||
      !gold.tests.every((t) =>
        numbers(t?.args) && t.args.length === gold.params.length && Number.isSafeInteger(t.expected)
      )
    ) {
      throw new DatasetError(
        file,
        line,
        "answer",
        "program gold must be {params: [names], tests: [{args, expected}, …]}",
      );
    }
  } else text("answer");
  if (p.hints !== undefined) {
    const hints = p.hints as Record<string, unknown>;
    for (const style of HINT_STYLES) {
      if (typeof hints?.[style] !== "string") {
        throw new DatasetError(file, line, `hints.${style}`, "expected a string");
      }
    }
  } else {
    p.hints = { strategy: p.hint, value: p.hint, prefix: p.hint };
  }
  return p as unknown as Problem;
}

/** Parse JSONL text into problems; the first bad line throws naming `file`, the line and the key. */
export function parseProblems(text: string, file: string): Problem[] {
  const problems: Problem[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new DatasetError(file, i + 1, "(line)", `invalid JSON (${(e as Error).message})`);
    }
    problems.push(checkProblem(value, file, i + 1));
  });
  return problems;
}

/** Read a dataset file. */
export async function readProblems(file: string): Promise<Problem[]> {
  return parseProblems(await Deno.readTextFile(file), file);
}
