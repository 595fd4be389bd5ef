/**
 * The settings reference, `docs/settings.md`, generated from the schemas: every key of a run config
 * ({@link RUN_SCHEMA}) and of a grid's `summary` and `calibration` sections, with its type, allowed values, default and
 * `doc`, after a description of the grid file itself. `deno task settings` writes it; `tests/settings_doc_test.ts`
 * fails when the file and the schemas disagree, or when a key has no `doc`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { field, section } from "./validate.ts";
 * import { schemaTable, undocumented } from "./reference.ts";
 * const schema = section({ lr: field("number", 1e-4, { min: 0, doc: "step size" }), steps: field("integer", 100) });
 * assert.deepEqual(undocumented(schema), ["steps"]);
 * assert.match(schemaTable(schema, "optim"), /\| `optim.lr` +\| number +\| ≥ 0 +\| `0.0001` \| step size +\|/);
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { FieldSpec, SectionSpec, Spec } from "./validate.ts";
import { RUN_SCHEMA } from "./schema.ts";
import { CALIBRATION_SCHEMA, SUMMARY_SCHEMA } from "../ablation/grid.ts";

/** Where `deno task settings` writes the reference. */
export const SETTINGS_FILE: string = fileURLToPath(new URL("../../docs/settings.md", import.meta.url));

/** The dotted paths of the fields (and sections) of `spec` that have no `doc`. */
export function undocumented(spec: SectionSpec, prefix = ""): string[] {
  const missing: string[] = [];
  for (const [key, node] of Object.entries(spec.fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (node.kind === "section") {
      if (!node.doc) missing.push(path);
      missing.push(...undocumented(node, path));
    } else if (!node.doc) missing.push(path);
  }
  return missing;
}

/** A table cell: pipes escaped, one line. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/**
 * Prose wrapped at `width` columns as `deno fmt` wraps markdown (words greedily, a code span never split), each line
 * after the first indented by `indent` spaces.
 */
export function wrap(text: string, width = 120, indent = 0): string {
  const words = text.match(/(?:`[^`]*`|[^\s`])+/g) ?? [];
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    const room = width - (lines.length > 0 ? indent : 0);
    if (line && [...line].length + 1 + [...word].length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

function typeOf(spec: FieldSpec): string {
  const type = spec.format === "tiers" ? "tiers" : spec.type;
  return spec.nullable ? `${type} or null` : type;
}

function allowedOf(spec: FieldSpec): string {
  if (spec.choices) return spec.choices.map((c) => `\`${c}\``).join(", ");
  if (spec.type === "boolean") return "`true`, `false`";
  if (spec.format === "tiers") return 'whole numbers ≥ 1, comma-separated (`""`: none)';
  if (spec.min !== undefined && spec.max !== undefined) return `[${spec.min}, ${spec.max}]`;
  if (spec.min !== undefined) return `≥ ${spec.min}`;
  if (spec.max !== undefined) return `≤ ${spec.max}`;
  return spec.type === "string" ? "any text" : "any";
}

function defaultOf(spec: FieldSpec): string {
  const value = spec.default;
  if (value === null) return "`null`";
  if (typeof value === "string") return spec.format === "tiers" || value === "" ? `\`"${value}"\`` : `\`${value}\``;
  return `\`${String(value)}\``;
}

/** A markdown table with its columns padded to one width, as `deno fmt` lays tables out. */
export function markdownTable(header: string[], rows: string[][]): string {
  const width = (text: string) => [...text].length;
  const widths = header.map((h, i) => Math.max(3, width(h), ...rows.map((r) => width(r[i]))));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c + " ".repeat(widths[i] - width(c))).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The table of the fields directly under `spec`, keyed by their full dotted path. */
export function schemaTable(spec: SectionSpec, prefix = ""): string {
  const rows = Object.entries(spec.fields).filter((entry): entry is [string, FieldSpec] => entry[1].kind === "field")
    .map(([key, node]) =>
      [
        `\`${prefix ? `${prefix}.${key}` : key}\``,
        typeOf(node),
        allowedOf(node),
        defaultOf(node),
        node.doc ?? "",
      ].map(cell)
    );
  return markdownTable(["Key", "Type", "Allowed", "Default", "What it does"], rows);
}

/** A section's fields as a table, then each subsection under its own heading with its doc. */
function sectionBlocks(spec: SectionSpec, prefix: string, depth: number): string[] {
  const out: string[] = [];
  if (Object.values(spec.fields).some((node) => node.kind === "field")) out.push(schemaTable(spec, prefix));
  for (const [key, node] of Object.entries(spec.fields) as [string, Spec][]) {
    if (node.kind !== "section") continue;
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(`${"#".repeat(depth)} \`${path}\``);
    if (node.doc) out.push(wrap(node.doc));
    out.push(...sectionBlocks(node, path, depth + 1));
  }
  return out;
}

/** The top-level keys of a grid file: key, what it holds, whether it is required. */
const GRID_KEYS = markdownTable(["Key", "Holds", "Required"], [
  [
    "`sft`",
    "a run config (keys below) for the base every run starts from; `algorithm` is `sft`, it reads `sft.*`, " +
    "`model.*`, `data.domain`, `data.hintStyle`, `optim.*` (not `miniBatches`), `seed` and `eval.every`",
    "no (then `base` sets `model.checkpoint`)",
  ],
  ["`base`", "a run config (keys below) every run starts from", "yes"],
  [
    "`variants`",
    "name → overrides of `base` (a grid that is a list of settings)",
    "no (absent: `base` is the one variant)",
  ],
  ["`axes`", "dotted key → a non-empty list of values (a grid that is a product)", "no"],
  ["`summary`", "how `summary.md` reads the runs ([below](#summary))", "no"],
  ["`calibration`", "calibrate the base before the runs ([below](#calibration)); needs `sft`", "no"],
]);

/** The grid file: its keys, how a run's config is made, the shipped base, the checks. */
function gridFile(): string[] {
  const steps = [
    "`base` is applied;",
    "its variant's overrides are merged over it section by section: `guide: { weighting: unit }` changes that one " +
    "key and keeps the rest of `base.guide`;",
    "one value of each axis is set by its dotted key (`guide.threshold: [0.001, 0.2]`), over the variant: the runs " +
    "are every variant × every combination of the axes' values (the first axis varies slowest);",
    "the ablation sets `workers: 1`, and a run that names no `model.checkpoint` takes the `sft` base's checkpoint, " +
    "its shape (`model.dModel`, `layers`, `heads`, `ctx`: a different value is an error) and, unless it sets one, " +
    "its `data.domain`.",
  ];
  return [
    wrap(
      "A grid is a YAML file (`lib/ablation/grids/*.yaml` are examples; `deno task ablation GRID.yaml` runs one into " +
        "`results/<grid name>/`) with these top-level keys; any other is an error naming its line:",
    ),
    GRID_KEYS,
    wrap("**How a run's config is made.** Each run starts from the schema's defaults (the Default column), then:"),
    steps.map((step, i) => wrap(`${i + 1}. ${step}`, 120, 3)).join("\n"),
    wrap(
      "Two combinations that resolve to the same config are one run. A run is named `<algorithm>-s<seed>-<hash>`: " +
        "the hash is the SHA-256 of its resolved config (which holds its base's id) and its dataset's checksums, so " +
        "the same run always lands in the same folder (`runs/<id>/`) and is never trained twice; a key added after " +
        "run stores existed (`since` in the schema) is left out of the hash while it sits at its default. The base's " +
        "id, `sft-s<seed>-<hash>`, hashes the `sft` section's config the same way.",
    ),
    wrap(
      "**The shipped base.** An `sft` section whose config hashes to a base the kit ships (`bases/<id>/`) uses that " +
        "base: its files are checked against their SHA-256 sums and copied into `results/<grid>/bases/<id>/`, and " +
        "nothing is trained (`--dry-run` prints `base <id> (shipped: bases/<id>)`). Any change to the `sft` section, " +
        "even to a key it does not read, gives another id and trains a new base on all cores first; " +
        "`--rebuild-base` trains it even where one is shipped.",
    ),
    wrap(
      "**Checks.** `workers` may not be set (`--workers N` is the runs at a time); `algorithm: sft` only in `sft`; " +
        "`summary.k` at most every run's `eval.finalSamples`; a wrong key or value is refused with " +
        "`file:line: key …` and, for a misspelt key, the closest valid one.",
    ),
  ];
}

/** The whole reference page (blocks separated by blank lines, laid out as `deno fmt` leaves them). */
export function settingsReference(): string {
  const blocks = [
    "# Settings reference",
    "<!-- Generated by `deno task settings` from lib/config/schema.ts and lib/ablation/grid.ts: edit those, then rerun it. -->",
    wrap(
      "Every setting a run or a grid reads, with its type, allowed values, default and effect. A first grid, step " +
        "by step: [`first-experiment.md`](first-experiment.md).",
    ),
    "## The grid file",
    ...gridFile(),
    "## Run config",
    wrap(
      "The keys of a grid's `sft`, `base` and `variants` sections and of its axes (by dotted path), and of a run's " +
        "`config.yaml`.",
    ),
    ...sectionBlocks(RUN_SCHEMA, "", 3),
    "## `summary`",
    wrap(SUMMARY_SCHEMA.doc ?? ""),
    ...sectionBlocks(SUMMARY_SCHEMA, "summary", 3),
    "## `calibration`",
    wrap(CALIBRATION_SCHEMA.doc ?? ""),
    ...sectionBlocks(CALIBRATION_SCHEMA, "calibration", 3),
  ];
  return blocks.join("\n\n") + "\n";
}

if (import.meta.main) {
  await Deno.writeTextFile(SETTINGS_FILE, settingsReference());
  console.log(`wrote ${SETTINGS_FILE}`);
}
