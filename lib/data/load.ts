/**
 * Loading the kit's datasets: generated on first use (they are not committed, see `datasets/README.md`), checked
 * against `datasets/SHA256SUMS`, then parsed with every line validated.
 *
 * @example
 * ```ts
 * import { loadProblems } from "./load.ts";
 * const validation = await loadProblems("math", "validation");
 * console.log(validation.length, validation[0].prompt);
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Split, SPLITS, writeDatasets } from "./generate.ts";
import { DATASET_DOMAINS, domainSpec } from "./domains.ts";
import { parseProblems, type Problem } from "./schema.ts";
import { sha256Hex } from "../io.ts";

/** The repository's datasets folder. */
export const DATASETS_DIR = fileURLToPath(new URL("../../datasets", import.meta.url));

/** The committed checksums (`sha256sum`'s format, in `root/name`): relative file → SHA-256. */
export async function readChecksums(root = DATASETS_DIR, name = "SHA256SUMS"): Promise<Map<string, string>> {
  const file = join(root, name);
  const text = await Deno.readTextFile(file);
  const sums = new Map<string, string>();
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const match = line.match(/^([0-9a-f]{64}) {2}(\S+)$/);
    if (!match) throw new Error(`${file}:${i + 1}: expected "<sha256>  <file>"`);
    sums.set(match[2], match[1]);
  });
  return sums;
}

/**
 * One digest of a domain's committed train, test and validation checksums: what a run trained on, was evaluated on
 * and its base calibrated on. Run ids include it, so regenerating a domain's data with a changed generator starts new
 * runs instead of reusing old ones.
 */
export async function datasetDigest(domain: string, root = DATASETS_DIR): Promise<string> {
  const sums = await readChecksums(root);
  const files = [`${domain}/train.jsonl`, `${domain}/test.jsonl`, `${domain}/validation.jsonl`];
  const missing = files.find((f) => !sums.has(f));
  if (missing) throw new Error(`${join(root, "SHA256SUMS")}: no checksum for ${missing}`);
  return (await sha256Hex(files.map((f) => sums.get(f)).join("\n"))).slice(0, 16);
}

/**
 * The problems of one split of one registered domain (`train` for SFT and RL, `validation` for calibration, `test`
 * for the final evaluation only). Generates the datasets when a file is missing; refuses an unknown domain, and a file
 * whose SHA-256 differs from `SHA256SUMS` (edited or corrupt), naming it.
 */
export async function loadProblems(domain: string, split: Split, root = DATASETS_DIR): Promise<Problem[]> {
  domainSpec(domain);
  const relative = join(domain, `${split}.jsonl`);
  const file = join(root, relative);
  const sums = await readChecksums(root);
  let data: Uint8Array;
  try {
    data = await Deno.readFile(file);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    const tmp = await Deno.makeTempDir({ prefix: "guide-datasets-" });
    try {
      await writeDatasets(tmp);
      for (const d of DATASET_DOMAINS) {
        for (const s of SPLITS) {
          const name = join(d, `${s}.jsonl`);
          await Deno.mkdir(join(root, d), { recursive: true });
          // Rename into place only where missing: a concurrent loader may have won the race.
          await Deno.rename(join(tmp, name), join(root, name)).catch(() => {});
        }
      }
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
    data = await Deno.readFile(file);
  }
  const expected = sums.get(relative);
  if (!expected) throw new Error(`${join(root, "SHA256SUMS")}: no checksum for ${relative}`);
  if ((await sha256Hex(data)) !== expected) {
    throw new Error(
      `${file}: SHA-256 does not match ${join(root, "SHA256SUMS")} (edited or corrupt; rerun deno task data)`,
    );
  }
  return parseProblems(new TextDecoder().decode(data), file);
}
