/**
 * External data onto the kit's schema, so researchers can bring their own problems: GSM8K (`{question, answer}`,
 * the answer's last line `#### x`) and MATH (`{problem, solution, level?, type?}`, the answer in the solution's last
 * `\boxed{}`). External sets carry no hints, so every hint style is a generic strategy sentence; use them with
 * hint-free algorithms or add your own hints. A bad line fails with the file, line and key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromGsm8k } from "./loaders.ts";
 * const [p] = fromGsm8k('{"question": "2+3?", "answer": "2+3=5\\n#### 5"}', "gsm8k.jsonl", "test");
 * assert.equal(p.answer, "5");
 * ```
 *
 * @module
 */
import { extractMathAnswer } from "../verifiers/math.ts";
import { DatasetError, type Problem } from "./schema.ts";

const GENERIC_HINT = "work step by step and check each intermediate result";

function lines(text: string, file: string): [Record<string, unknown>, number][] {
  const out: [Record<string, unknown>, number][] = [];
  text.split("\n").forEach((raw, i) => {
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new DatasetError(file, i + 1, "(line)", `invalid JSON (${(e as Error).message})`);
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw new DatasetError(file, i + 1, "(line)", "not a JSON object");
    }
    out.push([value as Record<string, unknown>, i + 1]);
  });
  return out;
}

function requireString(record: Record<string, unknown>, key: string, file: string, line: number): string {
  const value = record[key];
  if (typeof value !== "string" || !value) throw new DatasetError(file, line, key, "expected a non-empty string");
  return value;
}

function external(
  id: string,
  split: "train" | "test",
  tier: number,
  prompt: string,
  answer: string,
  solution: string,
): Problem {
  const hints = { strategy: GENERIC_HINT, value: GENERIC_HINT, prefix: GENERIC_HINT };
  return { id, domain: "math", split, tier, prompt, answer, hint: GENERIC_HINT, hints, solution };
}

/** GSM8K JSONL (`{question, answer}` with `#### x`) as problems (tier 1). */
export function fromGsm8k(text: string, file: string, split: "train" | "test"): Problem[] {
  return lines(text, file).map(([record, line], i) => {
    const question = requireString(record, "question", file, line);
    const answer = requireString(record, "answer", file, line);
    const final = answer.match(/####\s*(.+)\s*$/);
    if (!final) throw new DatasetError(file, line, "answer", "no '#### x' final answer");
    const gold = final[1].trim().replace(/,/g, "");
    const steps = answer.slice(0, final.index).replace(/<<[^>]*>>/g, "").trim();
    return external(`gsm8k-${split}-${i}`, split, 1, question, gold, `${steps}\n\\boxed{${gold}}`);
  });
}

/** MATH JSONL (`{problem, solution, level?}` with `\boxed{}`) as problems; "Level k" becomes tier k. */
export function fromMath(text: string, file: string, split: "train" | "test"): Problem[] {
  return lines(text, file).map(([record, line], i) => {
    const problem = requireString(record, "problem", file, line);
    const solution = requireString(record, "solution", file, line);
    if (!/\\(?:boxed|fbox)/.test(solution)) throw new DatasetError(file, line, "solution", "no \\boxed{} answer");
    const gold = extractMathAnswer(solution);
    if (gold === null) throw new DatasetError(file, line, "solution", "no readable \\boxed{} answer");
    const level = typeof record.level === "string" ? Number(record.level.match(/\d+/)?.[0]) : NaN;
    return external(`math-${split}-${i}`, split, Number.isInteger(level) ? level : 1, problem, gold, solution);
  });
}
