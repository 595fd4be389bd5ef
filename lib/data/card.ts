/**
 * The dataset card, `datasets/README.md`, written by `deno task data` with the files it describes. Everything in it
 * comes from the code or from files: each domain's section from its registered spec (`./domains.ts`: summary, tiers,
 * hints, key, held-out facts, example problems drawn by its generator), the tables from the generated splits (sizes,
 * checksums, novel-hint counts, longest sequences), and the calibration section from the calibration files found in
 * the repository (`bases/<id>/calibration.json`, shipped bases; `results/published/<grid>/summary.md`, published
 * grids). No measured number is typed here: a card regenerated after a base is shipped or a grid is published lists
 * it, and `tests/datasets_test.ts` checks that the committed card is the one the code writes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { calibrationsMarkdown } from "./card.ts";
 * assert.match(calibrationsMarkdown([], ["math"]), /No calibration found/);
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DomainSpec, HINT_STYLES, type Problem, type Split, TIERS } from "./spec.ts";

/** The repository's root: where the card looks for calibration files. */
export const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));

/** One domain as the card shows it: its spec and what generating it gave. */
export interface CardDomain {
  spec: DomainSpec;
  /** Each split's file: problems per tier and SHA-256. */
  files: { split: Split; perTier: number[]; sha256: string }[];
  /** The facts held out of its training split. */
  heldOut: string[];
  /** Novel-hint problems per tier. */
  novel: { test: number[]; validation: number[] };
  /** The longest prompt + hint + solution of any problem, in characters. */
  longest: number;
  /** The example problems of the tiers `spec.card.examples` names. */
  examples: Problem[];
}

/** One tier's row of a calibration file (`calibration.json`, as `deno task calibrate` writes it). */
export interface CalibrationRow {
  tier: number;
  plain: { passAt1: number; passAtK: number };
  hinted: Record<string, { passAt1: number; passAtK: number }>;
  regime: string;
}

/** A calibration found in the repository: a shipped base's file, or a published grid's summary section. */
export interface FoundCalibration {
  /** The file, relative to the repository. */
  path: string;
  domain: string;
  /** The base's id. */
  base: string;
  /** A shipped base's rows, and the samples they rest on; absent for a summary (it is linked, not copied). */
  rows?: CalibrationRow[];
  /** A shipped base's dataset files and their SHA-256, from its `datasets.txt` (what it was built and calibrated on). */
  datasets?: Record<string, string>;
  problems?: number;
  samples?: number;
}

/** What the card is made of. */
export interface CardInput {
  seed: number;
  domains: CardDomain[];
  calibrations: FoundCalibration[];
}

/** The folder names under `dir`, sorted; none when it does not exist. */
async function folders(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) if (entry.isDirectory) names.push(entry.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return names.sort();
}

/** A file's text, or undefined when it does not exist. */
async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/**
 * The calibrations in `repository`: each shipped base's `bases/<id>/calibration.json` (its domain from the
 * `datasets.txt` beside it), then each published grid's `results/published/<grid>/summary.md` section headed
 * `Base: Calibration of <id> (<domain>)`. Sorted by path, so the card reads the same on every machine.
 */
export async function findCalibrations(repository = REPOSITORY): Promise<FoundCalibration[]> {
  const found: FoundCalibration[] = [];
  for (const id of await folders(join(repository, "bases"))) {
    const path = `bases/${id}/calibration.json`;
    const text = await readIfThere(join(repository, path));
    if (text === undefined) continue;
    // The dataset the base was trained on, as its `datasets.txt` lists it (`<sha256>  <domain>/train.jsonl`).
    const datasets = await Deno.readTextFile(join(repository, "bases", id, "datasets.txt"));
    const sums = Object.fromEntries([...datasets.matchAll(/^([0-9a-f]{64}) {2}(\S+)$/gm)].map((m) => [m[2], m[1]]));
    const domain = Object.keys(sums).find((f) => f.endsWith("/train.jsonl"))?.split("/")[0];
    if (!domain) throw new Error(`${join(repository, "bases", id, "datasets.txt")}: no <domain>/train.jsonl line`);
    const json = JSON.parse(text) as { problems: number; samples: number; calibration: CalibrationRow[] };
    found.push({
      path,
      domain,
      base: id,
      rows: json.calibration,
      datasets: sums,
      problems: json.problems,
      samples: json.samples,
    });
  }
  for (const grid of await folders(join(repository, "results", "published"))) {
    const path = `results/published/${grid}/summary.md`;
    const text = await readIfThere(join(repository, path));
    const heading = text?.match(/^## Base: Calibration of (\S+) \(([^)]+)\)$/m);
    if (heading) found.push({ path, domain: heading[2], base: heading[1] });
  }
  return found;
}

const cells = (values: number[]) => values.join(" / ");
const code = (text: string) => `\`${text}\``;
const title = (name: string) => name[0].toUpperCase() + name.slice(1);
/** A link from the card (in `datasets/`) to a repository file. */
const link = (path: string, text = path) => `[${text}](../${path})`;

/** A list of phrases as one: `a, b and c`. */
function phrases(items: string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** An example problem's line. */
function exampleLine(p: Problem): string {
  return `- tier ${p.tier}: ${code(p.prompt)} → ${code(p.solution)}; hints: strategy "${p.hints.strategy}", value ` +
    `"${p.hints.value}", prefix "${p.hints.prefix}"`;
}

/** A domain's section: its parameters and examples. */
function domainSection(d: CardDomain): string {
  const { name, verifier, card } = d.spec;
  const lines = [
    `## ${title(name)} (verifier: ${verifier})`,
    "",
    card.summary,
    "",
    `Tiers: ${card.tiers.map((t, i) => `${i + 1} ${t}`).join("; ")}.`,
    "",
    `Hints: ${HINT_STYLES.map((s) => `${code(s)} ${card.hints[s]}`).join("; ")}.`,
  ];
  if (card.heldOut) lines.push("", `Held out of training: ${card.heldOut}.`);
  lines.push("", ...d.examples.map(exampleLine));
  return lines.join("\n");
}

/** A shipped base's calibration as a table: plain and each hint style, per tier. */
function calibrationTable(c: FoundCalibration): string {
  const rows = c.rows!;
  const styles = Object.keys(rows[0]?.hinted ?? {});
  const k = c.samples;
  const head = [
    "tier",
    "plain pass@1",
    `plain pass@${k}`,
    ...styles.map((s) => `${code(s)} pass@${k}`),
    "regime",
  ];
  const f = (x: number) => x.toFixed(3);
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) =>
      `| ${
        [r.tier, f(r.plain.passAt1), f(r.plain.passAtK), ...styles.map((s) => f(r.hinted[s].passAtK)), r.regime]
          .join(" | ")
      } |`
    ),
  ].join("\n");
}

/** Whether a shipped base was built on the files this card describes (its `datasets.txt` against their sums). */
function builtOn(c: FoundCalibration, checksums: Record<string, string>): string {
  const files = Object.entries(c.datasets ?? {});
  const same = files.length > 0 && files.every(([file, sum]) => checksums[file] === sum);
  return same ? "built on the files this card lists" : "built on other files than this card lists";
}

/**
 * The calibration section's body: per domain, each base found and where its calibration is, with a shipped base's
 * table drawn from its file (and whether it was built on the files of `checksums`, relative path → SHA-256); the
 * `domains` with none are named.
 */
export function calibrationsMarkdown(
  found: FoundCalibration[],
  domains: readonly string[],
  checksums: Record<string, string> = {},
): string {
  const out: string[] = [];
  for (const domain of domains) {
    const mine = found.filter((c) => c.domain === domain);
    const bases = [...new Set(mine.map((c) => c.base))];
    for (const base of bases) {
      const files = mine.filter((c) => c.base === base);
      const shipped = files.find((c) => c.rows);
      const summaries = files.filter((c) => !c.rows).map((c) => link(c.path, c.path.split("/").at(-2)));
      const where = [
        ...(shipped ? [`shipped with the kit (${link(shipped.path)}, ${builtOn(shipped, checksums)})`] : []),
        ...(summaries.length > 0 ? [`in the published results of ${phrases(summaries)}`] : []),
      ];
      out.push(`- ${code(domain)}, base ${code(base)}: ${phrases(where)}.`);
      if (shipped) {
        out.push(
          "",
          `  ${shipped.problems} validation problems a tier × ${shipped.samples} samples, from its \`calibration.json\`:`,
          "",
          calibrationTable(shipped).split("\n").map((l) => `  ${l}`).join("\n"),
          "",
        );
      }
    }
  }
  const none = domains.filter((d) => !found.some((c) => c.domain === d));
  if (out.length === 0) out.push("No calibration found.");
  if (none.length > 0 && none.length < domains.length) {
    out.push(`\nNo calibration found for ${phrases(none.map(code))}.`);
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trim();
}

/** The card: `datasets/README.md`. */
export function datasetCard({ seed, domains, calibrations }: CardInput): string {
  const names = domains.map((d) => d.spec.name);
  const checksums = Object.fromEntries(
    domains.flatMap((d) => d.files.map((f) => [`${d.spec.name}/${f.split}.jsonl`, f.sha256])),
  );
  const keys = domains.map((d, i) => `- ${code(d.spec.name)}: ${d.spec.card.key}${i < domains.length - 1 ? ";" : "."}`);
  const sizes = domains.filter((d) => d.spec.card.sizes).map((d) => `${code(d.spec.name)} ${d.spec.card.sizes}`);
  const novel = domains.map((d) =>
    `| ${d.spec.name} | ${d.heldOut.map(code).join(", ") || "none"} | ${cells(d.novel.test)} | ${
      cells(d.novel.validation)
    } |`
  );
  const files = domains.flatMap((d) =>
    d.files.map((f) =>
      `| ${d.spec.name} | ${f.split} | ${f.perTier.reduce((a, b) => a + b, 0)} | ${cells(f.perTier)} | ` +
      `${code(f.sha256)} |`
    )
  );
  const longest = phrases(domains.map((d) => `${d.spec.name} ${d.longest}`));
  const tiers = Array.from({ length: TIERS }, (_, t) => t + 1).join(" / ");
  return `# Datasets

Generated by \`deno task data\` (\`lib/data/generate.ts\`, seed ${seed}) from the domains registered in
\`lib/data/domains.ts\`, one file each: deterministic, so the files below are reproduced byte for byte. This card is
written with them: each domain's section comes from its file, the tables from the generated splits, the calibrations
from the files it names; none of it is typed by hand. Together the files are over the 20 MB the repository holds,
so only this card and \`SHA256SUMS\` are committed: \`loadProblems\` (\`lib/data/load.ts\`) generates the files on
first use and checks every file against \`SHA256SUMS\` before reading it, and \`tests/datasets_test.ts\` checks that
a fresh generation matches the committed sums and this card. One JSON object a line, in the schema of
\`docs/design.md\` (\`id, domain, split, tier, prompt, answer, hint, solution\`) plus \`hints\`, the same hint in
every style, and on validation and test lines \`novelHint\` (below):

- \`strategy\` (default, in \`hint\`): the method or the first operation to do, without its result;
- \`value\`: one intermediate value;
- \`prefix\`: the first solution step verbatim — kept only for the ablation that shows why it fails
  (\`docs/testbed.md\`: copied steps are shared by hinted successes and failures, so the group
  baseline cancels them). For one-step problems, whose first step is the answer, it falls back to the strategy.

No hint contains the final answer; tiers are spread evenly within each split's sizes (tests check both). Longest
prompt, hint and solution together, in characters (a sequence adds 4 special tokens, and must fit the policy's
\`model.ctx\`): ${longest}.

**Three splits, one use each.** \`train\` is for SFT and RL; \`validation\` is for calibration
(\`deno task calibrate\`, a grid's \`calibration\` section) and any other choice made by looking at results; \`test\`
is for the final evaluation only (a run's held-out evaluations and the base evaluation). Test is drawn first, then
validation, then train. No two splits share a problem up to the order of commutative operands: each problem has a
canonical key (its domain's, built from \`lib/data/splits.ts\`), and train skips every key of test and validation
(test and validation hold each key once). The key:

${keys.join("\n")}
${
    sizes.length > 0
      ? `
Where a tier's space is small, a split is smaller: ${sizes.join("; ")}.
`
      : ""
  }
**Novel-hint subset.** A test or validation problem has \`novelHint: true\` when the fact its \`value\` hint gives
occurs in no training prompt, solution or hint (as a whole token sequence, in either order of a commutative
operation: \`6*9\` or \`9*6\`; for hints that are sentences, the sentence). So that the subset exists where the fact
spaces are small, a few facts are held out of training by construction (seeded, each domain's \`heldOutFacts\`): no
training problem states them anywhere. SFT on tiers 1–2 (sums only) loses nothing; RL's training problems of tiers
3–5 lose those that use them. Novel-hint problems per tier ${tiers}:

| domain | held out of train | test | validation |
| --- | --- | --- | --- |
${novel.join("\n")}

| domain | split | problems | per tier ${tiers} | SHA-256 |
| --- | --- | --- | --- | --- |
${files.join("\n")}

${domains.map(domainSection).join("\n\n")}

## Calibration

What a base trained on these datasets reaches per tier, plain and hinted, is measured by \`deno task calibrate\` on
the validation split and kept with the base or the grid's results, never in this card's code. The calibrations found
in the repository (regenerate this card after shipping a base or publishing a grid):

${calibrationsMarkdown(calibrations, names, checksums)}

## Bringing your own data

\`lib/data/loaders.ts\` maps GSM8K (\`{question, answer}\` with \`#### x\`) and MATH (\`{problem, solution}\` with
\`\\boxed{}\`) JSONL onto this schema.
`;
}
