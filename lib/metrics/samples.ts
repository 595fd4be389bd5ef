/**
 * Samples of any model as JSONL, one sample a line: `{id, correct}` (already judged) or `{id, domain, response,
 * gold}` (judged here by the kit's verifiers) — the input of the pass@k analysis (`deno task passk`, notebooks).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSamples } from "./samples.ts";
 * const file = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(file, '{"id":"p1","correct":true}\n{"id":"p1","domain":"math","response":"\\\\boxed{4}","gold":"4"}\n');
 * assert.deepEqual(await readSamples(file), new Map([["p1", { n: 2, c: 2 }]]));
 * ```
 *
 * @module
 */
import { verifierOf, verify } from "../verifiers/mod.ts";
import { DATASET_VERIFIERS } from "../data/domains.ts";
import type { Counts } from "./gains.ts";

/** Read a samples file into per-problem counts; a bad line names the file, line and key. */
export async function readSamples(file: string): Promise<Map<string, Counts>> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw new Error(`${file}: cannot be read (${(e as Error).message.split("\n")[0]})`);
  }
  const counts = new Map<string, Counts>();
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    if (!raw.trim()) continue;
    const where = `${file}:${i + 1}`;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(raw);
    } catch (e) {
      throw new Error(`${where}: invalid JSON (${(e as Error).message})`);
    }
    if (record === null || typeof record !== "object") throw new Error(`${where}: not a JSON object`);
    if (typeof record.id !== "string" && typeof record.id !== "number") {
      throw new Error(`${where}: key "id": expected a string or number`);
    }
    let correct: boolean;
    if (typeof record.correct === "boolean") correct = record.correct;
    else if ("response" in record && "domain" in record && "gold" in record) {
      // A dataset's own domain name is judged by its verifier; an unknown one is refused, never counted wrong.
      const verifier = verifierOf(String(record.domain), DATASET_VERIFIERS);
      if (verifier.error !== undefined) throw new Error(`${where}: key "domain": ${verifier.error}`);
      correct = (await verify(verifier.domain, record.response, record.gold)).correct;
    } else {
      throw new Error(`${where}: key "correct": expected a boolean (or domain, response and gold to verify)`);
    }
    const id = String(record.id);
    const entry = counts.get(id) ?? { n: 0, c: 0 };
    entry.n++;
    if (correct) entry.c++;
    counts.set(id, entry);
  }
  return counts;
}
