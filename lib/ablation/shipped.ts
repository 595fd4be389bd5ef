/**
 * Bases shipped with the kit. A calibrated SFT base is the same every time it is rebuilt from the same recipe, and it
 * is the longest phase of a grid, so the kit commits it under `bases/<id>/` and a grid whose `sft` section has that
 * id starts from the shipped copy instead of training it again. The id hashes the whole SFT config and the dataset's
 * checksums, so a match means the same recipe on the same data. A shipped folder holds:
 *
 * - `checkpoint/`: the weights (a weights-only checkpoint: every run starts a fresh optimizer);
 * - `config.yaml`: the recipe, the SFT run's whole config; `datasets.txt`: the SHA-256 of the data it trained,
 *   was calibrated (validation) and is evaluated (test) on;
 * - `calibration.json`, `calibration.md`: its calibration, as the grid's runner measured it;
 * - `build.json`: when, how long, on what backend and kernels it was built;
 * - `SHA256SUMS`: every file above with its SHA-256, checked before the base is used; `README.md`: the card.
 *
 * `deno task ship-base OUT/bases/<id>` makes one from a base a grid built ({@link packShippedBase}).
 * `deno task ablation --rebuild-base` trains the base instead, and then compares its calibration with the shipped
 * one ({@link compareCalibrations}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { subsetAgrees } from "./shipped.ts";
 * // 16 of a tier's 128 problems, 16 samples each, against the whole tier's pass@1 of 0.78:
 * const counts = [16, 14, 12, 16, 9, 15, 13, 16, 11, 14, 16, 10, 12, 15, 16, 13];
 * assert.equal(subsetAgrees(counts, 16, 0.78, 128).agrees, true);
 * assert.equal(subsetAgrees(counts, 16, 0.30, 128).agrees, false);
 * ```
 *
 * @module
 */
import { basename, join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { fileURLToPath } from "node:url";
import { exists, scrubPaths, sha256Hex, writeFileAtomic, writeTextFileAtomic } from "../io.ts";
import { loadCheckpoint, saveCheckpoint } from "../policy/checkpoint.ts";
import { readChecksums } from "../data/load.ts";
import { calibrationMarkdown, type TierCalibration } from "./calibrate.ts";

/** The repository's shipped bases. */
export const SHIPPED_BASES_DIR = fileURLToPath(new URL("../../bases", import.meta.url));

/** The files of a shipped base that `SHA256SUMS` covers, in the order the card lists them. */
export const SHIPPED_FILES = [
  "checkpoint/checkpoint.json",
  "checkpoint/weights.bin",
  "config.yaml",
  "datasets.txt",
  "calibration.json",
  "calibration.md",
  "build.json",
];

/** A domain's dataset files a base depends on: trained on train, calibrated on validation, evaluated on test. */
export function datasetFiles(domain: string): string[] {
  return [`${domain}/train.jsonl`, `${domain}/validation.jsonl`, `${domain}/test.jsonl`];
}

/**
 * The folder of the shipped base with this id, if the kit ships one (the folder exists: a shipped base missing its
 * `SHA256SUMS` or any other file is refused by {@link verifyShippedBase}, not passed over).
 */
export async function shippedBase(id: string, root = SHIPPED_BASES_DIR): Promise<string | undefined> {
  const dir = join(root, id);
  return (await Deno.stat(dir).catch(() => null))?.isDirectory ? dir : undefined;
}

/** Marks a base folder while a shipped base is being installed into it: a cut-off install is redone, never resumed. */
export const INSTALLING = "installing-shipped";

/** How to get a good copy back, for every refusal. */
function remedy(dir: string): string {
  const shown = relative(Deno.cwd(), dir).startsWith("..") ? dir : relative(Deno.cwd(), dir);
  return `restore it (git checkout -- ${shown}) or train the base instead (deno task ablation GRID --rebuild-base)`;
}

/**
 * Check every file of a shipped base against its `SHA256SUMS`, and its datasets against the repository's: throws one
 * line naming the first file that is missing or differs, and how to recover. `files` is where the files are read
 * (default: the shipped folder itself; the installer checks its own copies, so a file changed between check and copy
 * is caught). `expectedConfig`: the text the grid's `sft` section gives `config.yaml` (the id is its hash).
 */
export async function verifyShippedBase(
  dir: string,
  options: { files?: string; domain?: string; expectedConfig?: string } = {},
): Promise<void> {
  const sumsFile = join(dir, "SHA256SUMS");
  const sums = await readChecksums(dir).catch((e) => {
    throw new Error(`${sumsFile}: ${(e as Error).message.replace(/^.*?: /, "")}; ${remedy(dir)}`);
  });
  const files = options.files ?? dir;
  for (const name of SHIPPED_FILES) {
    const expected = sums.get(name);
    if (!expected) throw new Error(`${sumsFile}: no checksum for ${name}; ${remedy(dir)}`);
    const data = await Deno.readFile(join(files, name)).catch(() => null);
    if (!data) throw new Error(`${join(dir, name)}: missing from the shipped base; ${remedy(dir)}`);
    if (await sha256Hex(data) !== expected) {
      throw new Error(
        `${join(dir, name)}: SHA-256 does not match ${sumsFile} (the shipped base is corrupt); ${remedy(dir)}`,
      );
    }
  }
  if (options.expectedConfig !== undefined) {
    const saved = await Deno.readTextFile(join(files, "config.yaml"));
    if (saved !== options.expectedConfig) {
      throw new Error(
        `${join(dir, "config.yaml")}: not the recipe the grid's sft section gives this id (edited, or another ` +
          `kit version's); ${remedy(dir)}`,
      );
    }
  }
  const trained = await readChecksums(files, "datasets.txt");
  const repository = await readChecksums();
  const needed = options.domain ? datasetFiles(options.domain) : [];
  const missing = needed.find((name) => !trained.has(name));
  if (missing || trained.size === 0) {
    throw new Error(`${join(dir, "datasets.txt")}: no checksum for ${missing ?? "any dataset"}; ${remedy(dir)}`);
  }
  for (const [name, sha] of trained) {
    if (repository.get(name) !== sha) {
      throw new Error(
        `${
          join(dir, "datasets.txt")
        }: ${name} differs from datasets/SHA256SUMS (the base was trained on other data); ` +
          `train the base instead (deno task ablation GRID --rebuild-base)`,
      );
    }
  }
}

/**
 * Install a shipped base as the built base of a run store (`OUT/bases/<id>/`, which may exist, holding only the
 * caller's lock or a cut-off install): a marker ({@link INSTALLING}) first, then the recipe, data checksums,
 * calibration and checkpoint (renamed into place), each copy checked against the shipped `SHA256SUMS`, then
 * `meta.json` (the build's, saying it was shipped), `done.json` and the marker's removal. A cut-off install keeps its
 * marker and is redone; a refused one leaves nothing of itself behind.
 */
export async function installShippedBase(
  dir: string,
  target: string,
  options: { domain?: string; expectedConfig?: string } = {},
): Promise<void> {
  await Deno.mkdir(target, { recursive: true });
  await writeTextFileAtomic(join(target, INSTALLING), `${relative(join(SHIPPED_BASES_DIR, ".."), dir)}\n`);
  try {
    for (const name of ["config.yaml", "datasets.txt", "calibration.json", "calibration.md", "build.json"]) {
      await writeFileAtomic(join(target, name), await Deno.readFile(join(dir, name)));
    }
    const tmp = await Deno.makeTempDir({ dir: target, prefix: ".checkpoint-" });
    try {
      for (const name of ["checkpoint.json", "weights.bin"]) {
        await Deno.copyFile(join(dir, "checkpoint", name), join(tmp, name));
      }
      await Deno.chmod(tmp, 0o755);
      await Deno.remove(join(target, "checkpoint"), { recursive: true }).catch(() => {});
      await Deno.rename(tmp, join(target, "checkpoint"));
    } catch (e) {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      throw e;
    }
    await verifyShippedBase(dir, { ...options, files: target });
  } catch (e) {
    await clearBaseFolder(target);
    throw e;
  }
  const build = JSON.parse(await Deno.readTextFile(join(target, "build.json")));
  await Deno.remove(join(target, "build.json"));
  const shipped = relative(join(SHIPPED_BASES_DIR, ".."), dir);
  await writeTextFileAtomic(join(target, "meta.json"), JSON.stringify({ ...build, shipped }, null, 2) + "\n");
  await writeTextFileAtomic(join(target, "done.json"), JSON.stringify({ steps: build.steps, shipped }) + "\n");
  await Deno.remove(join(target, INSTALLING));
}

/**
 * Remove what a shipped install or a training put in a base folder (checkpoint, recipe, calibration, logs, marker),
 * keeping the folder and its lock: what a refused install or `--rebuild-base` over a cut-off install starts from.
 */
export async function clearBaseFolder(target: string): Promise<void> {
  for await (const entry of Deno.readDir(target)) {
    if (entry.name === "lock") continue;
    await Deno.remove(join(target, entry.name), { recursive: true }).catch(() => {});
  }
}

/**
 * Make a shipped base from a base built in a run store (`OUT/bases/<id>/`, finished and calibrated): what
 * `deno task ship-base` does. Returns the new folder.
 */
export async function packShippedBase(built: string, root = SHIPPED_BASES_DIR): Promise<string> {
  const id = basename(resolve(built));
  for (const need of ["done.json", "config.yaml", "calibration.json", "calibration.md", "meta.json"]) {
    if (!(await exists(join(built, need)))) {
      throw new Error(`${join(built, need)}: missing (build and calibrate first)`);
    }
  }
  const domain = parse(await Deno.readTextFile(join(built, "config.yaml")))?.data?.domain;
  if (typeof domain !== "string") throw new Error(`${join(built, "config.yaml")}: no data.domain`);
  const dir = join(root, id);
  const policy = await loadCheckpoint(join(built, "checkpoint"));
  try {
    await saveCheckpoint(policy, join(dir, "checkpoint"), undefined, { weightsOnly: true });
  } finally {
    policy.dispose();
  }
  for (const name of ["config.yaml", "calibration.json", "calibration.md"]) {
    await writeTextFileAtomic(join(dir, name), await Deno.readTextFile(join(built, name)));
  }
  const meta = JSON.parse(await Deno.readTextFile(join(built, "meta.json")));
  const build = JSON.parse(scrubPaths(JSON.stringify(meta)));
  await writeTextFileAtomic(join(dir, "build.json"), JSON.stringify(build, null, 2) + "\n");
  const data = await readChecksums();
  const datasets = datasetFiles(domain).map((f) => `${data.get(f)}  ${f}\n`).join("");
  await writeTextFileAtomic(join(dir, "datasets.txt"), datasets);
  const lines = [];
  for (const name of SHIPPED_FILES) lines.push(`${await sha256Hex(await Deno.readFile(join(dir, name)))}  ${name}\n`);
  await writeTextFileAtomic(join(dir, "SHA256SUMS"), lines.join(""));
  await writeTextFileAtomic(join(dir, "README.md"), await shippedCard(dir, id));
  return dir;
}

/** The card of a shipped base: what it is, its recipe, data, calibration and files. */
async function shippedCard(dir: string, id: string): Promise<string> {
  const build = JSON.parse(await Deno.readTextFile(join(dir, "build.json")));
  const calibration = JSON.parse(await Deno.readTextFile(join(dir, "calibration.json")));
  const minutes = typeof build.seconds === "number" ? `${(build.seconds / 60).toFixed(1)} min` : "unknown time";
  const products = build.backend?.products?.detail ?? build.backend?.detail ?? "unknown";
  return [
    `# Shipped base ${id}`,
    "",
    `An SFT base committed with the kit so that grids whose \`sft\` section has the id \`${id}\` start from it instead`,
    "of training it (the id hashes the whole SFT config and the dataset's checksums). `deno task ablation GRID",
    "--rebuild-base` trains it again and compares the new calibration with the one below.",
    "",
    `Built ${build.finishedAt ?? "at an unknown date"} in ${minutes}: ${build.steps} SFT steps on the ` +
    `${build.backend?.name ?? "unknown"} backend, matrix products: ${products}; Deno ${build.versions?.deno}, ` +
    `tfjs ${build.versions?.tfjs}, commit ${build.gitCommit ?? "unknown"}.`,
    "",
    "- `checkpoint/`: weights only (every run starts a fresh optimizer);",
    "- `config.yaml`: the recipe (the SFT run's whole config; the grid's `sft` section gives it);",
    "- `datasets.txt`: the SHA-256 of its train, validation (calibration) and test data (checked against",
    "  `datasets/SHA256SUMS` before use);",
    "- `calibration.json` / `.md`: its calibration; `build.json`: how it was built;",
    "- `SHA256SUMS`: every file's SHA-256, checked before use (a mismatch is refused, naming the file); by hand:",
    "  `cd bases/" + id + " && sha256sum -c SHA256SUMS`.",
    "",
    calibrationMarkdown(calibration.calibration, "Calibration").replace(/^# /, "## "),
  ].join("\n");
}

/**
 * Whether pass@1 on a subset of a tier's problems (`counts`: correct samples per problem, `samples` each) agrees with
 * the whole tier's `passAt1` (over `tierSize` problems) within sampling error: the subset mean's distance to it under
 * 3.3 standard errors (two-sided 0.1%), the error from the subset's own spread with the finite-population correction,
 * and never under one sample's worth (1 / all samples drawn).
 */
export function subsetAgrees(
  counts: number[],
  samples: number,
  passAt1: number,
  tierSize: number,
): { mean: number; half: number; agrees: boolean } {
  const m = counts.length;
  const rates = counts.map((c) => c / samples);
  const mean = rates.reduce((a, b) => a + b, 0) / m;
  const variance = m > 1 ? rates.reduce((a, r) => a + (r - mean) ** 2, 0) / (m - 1) : 0.25;
  const correction = Math.max(0, 1 - m / tierSize);
  const half = Math.max(3.3 * Math.sqrt((variance / m) * correction), 1 / (m * samples));
  return { mean, half, agrees: Math.abs(mean - passAt1) <= half };
}

/** One line of {@link compareCalibrations}. */
export interface CalibrationDifference {
  tier: number;
  /** `plain`, or the hint style. */
  context: string;
  shipped: number;
  rebuilt: number;
  /** 3.3 standard errors of the difference of two independent pass@1 estimates on the same problems. */
  half: number;
  within: boolean;
}

/**
 * Compare a rebuilt base's calibration with the shipped one, pass@1 per tier and context: two independent draws on
 * the same problems differ by sampling alone with a standard error of at most √(2 p (1 − p) / (problems × samples))
 * (p pooled; problem-to-problem spread only lowers it), so a difference over 3.3 of those is the base, not the draw.
 */
export function compareCalibrations(shipped: TierCalibration[], rebuilt: TierCalibration[]): CalibrationDifference[] {
  const out: CalibrationDifference[] = [];
  for (const a of shipped) {
    const b = rebuilt.find((c) => c.tier === a.tier);
    if (!b) continue;
    const contexts: [string, number, number | undefined][] = [
      ["plain", a.plain.passAt1, b.plain.passAt1],
      ...Object.entries(a.hinted).map(([style, r]): [string, number, number | undefined] => [
        style,
        r!.passAt1,
        b.hinted[style as keyof typeof b.hinted]?.passAt1,
      ]),
    ];
    for (const [context, x, y] of contexts) {
      if (y === undefined) continue;
      const p = (x + y) / 2;
      const draws = Math.min(a.problems * a.samples, b.problems * b.samples);
      const half = Math.max(3.3 * Math.sqrt((2 * p * (1 - p)) / draws), 1 / draws);
      out.push({ tier: a.tier, context, shipped: x, rebuilt: y, half, within: Math.abs(x - y) <= half });
    }
  }
  return out;
}

/** {@link compareCalibrations} as Markdown: a sentence, then one row per tier and context. */
export function calibrationComparisonMarkdown(differences: CalibrationDifference[]): string {
  const off = differences.filter((d) => !d.within);
  const head = off.length === 0
    ? "The rebuilt base's calibration matches the shipped one's within sampling error in every tier and context."
    : `The rebuilt base differs from the shipped one beyond sampling error in ${off.length} of ` +
      `${differences.length} tier × context pass@1 values: ` +
      off.map((d) => `tier ${d.tier} ${d.context} ${d.rebuilt.toFixed(3)} against ${d.shipped.toFixed(3)}`).join("; ") +
      ".";
  return [
    head,
    "",
    "| tier | context | shipped pass@1 | rebuilt pass@1 | sampling error (±) | within |",
    "|---|---|---|---|---|---|",
    ...differences.map((d) =>
      `| ${d.tier} | ${d.context} | ${d.shipped.toFixed(3)} | ${d.rebuilt.toFixed(3)} | ${d.half.toFixed(3)} | ${
        d.within ? "yes" : "no"
      } |`
    ),
    "",
  ].join("\n");
}
