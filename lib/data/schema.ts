/**
 * The dataset line (`docs/design.md`, "Contracts"): `{id, domain, split, tier, prompt, answer, hint, solution}`, plus
 * `hints`, the same problem's hint in every named style, and on validation and test problems `novelHint`. Reading a
 * JSONL file checks every line — its domain a registered one (`./domains.ts`), its `answer` gold that domain's verifier
 * takes — and fails with one error naming the file, the line and the key.
 *
 * @module
 */
import { DATASET_DOMAINS, domainSpec } from "./domains.ts";
import { HINT_STYLES, type Problem } from "./spec.ts";

export { HINT_STYLES, type HintStyle, type Problem, TIERS } from "./spec.ts";
export { verifierDomain } from "./domains.ts";

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
  if (!DATASET_DOMAINS.includes(p.domain as string)) {
    const names = `${DATASET_DOMAINS.slice(0, -1).join(", ")} or ${DATASET_DOMAINS.at(-1)}`;
    throw new DatasetError(file, line, "domain", `expected ${names}, got ${JSON.stringify(p.domain)}`);
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
  const check = domainSpec(p.domain as string).checkAnswer;
  if (check) {
    const wrong = check(p.answer);
    if (wrong !== null) throw new DatasetError(file, line, "answer", wrong);
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
