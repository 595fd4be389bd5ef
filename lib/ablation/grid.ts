/**
 * Ablation grids: a YAML file with an `sft` section (the base policy every run starts from, built once and cached),
 * a `base` run config, optional named `variants` (each a set of overrides of the base, for grids that are a list of
 * settings rather than a product), `axes` (any config key by dotted path, each with a list of values), and
 * `summary` and `calibration` sections (optional). The runs are the variants × the cartesian product of the axes,
 * each resolved against the run schema and named by a stable id from its resolved config (which includes the base's
 * id) and its dataset's checksums, so the same run always lands in the same folder. Runs
 * take the base's model shape and domain. A malformed grid names the file, the line and the key; an unknown
 * algorithm lists the valid ones.
 *
 * ```yaml
 * sft:
 *   model: { dModel: 64, layers: 2 }
 *   sft: { steps: 1500, batch: 32 }
 *   optim: { lr: 0.003 }
 * base:
 *   steps: 100
 *   rollout: { groupSize: 8, promptsPerStep: 16, budget: 12800 }
 * axes:
 *   algorithm: [grpo, filter-grpo, guide-grpo]
 *   seed: [0, 1, 2]
 *   guide.baseline: [group, plain]
 * summary: { k: 16 }
 * ```
 *
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLMap } from "yaml";
import { ALGORITHMS, configIdentity, RUN_SCHEMA, type RunConfig } from "../config/schema.ts";
import {
  closestKey,
  ConfigError,
  field,
  resolve,
  type Resolved,
  section,
  type SectionSpec,
  type Spec,
} from "../config/validate.ts";
import { sha256Hex } from "../io.ts";
import { datasetDigest } from "../data/load.ts";
import { fileURLToPath } from "node:url";

/**
 * The grid `deno task ablation` runs when given none: GRPO, Filter-GRPO, official Guide-GRPO and `plain` + `unit`
 * Guide × 3 seeds on `arith`, from the shipped base (`bases/`), in about ten minutes on 2 cores.
 */
export const MAIN_GRID: string = fileURLToPath(new URL("../../grids/main.yaml", import.meta.url));

/**
 * The math pipeline check: a small base built by a 1,500-step SFT, then GRPO, Filter-GRPO and Guide-GRPO × 3 seeds
 * on `math` (too short to train a policy that solves it: read it as a check that everything runs).
 */
export const QUICK_GRID: string = fileURLToPath(new URL("../../grids/quick-math.yaml", import.meta.url));

/** The example grids that ship with the kit, by name (`main`, `quick-math`, `paper-arith`, `guide-knobs`, …). */
export const EXAMPLE_GRIDS: string = fileURLToPath(new URL("../../grids/", import.meta.url));

/** One run of a grid. */
export interface GridRun {
  /** Stable name: algorithm, seed and a hash of the resolved config. */
  id: string;
  config: RunConfig;
  /** The axis values that made this run, by dotted path. */
  axes: Record<string, unknown>;
}

/** How the summary reads a grid's runs (the grid's optional `summary` section). */
export const SUMMARY_SCHEMA = section({
  k: field("integer", 16, { min: 1, doc: "the k of the reported pass@k (at most eval.finalSamples)" }),
  target: field("number", null, {
    nullable: true,
    min: 0,
    max: 1,
    doc: "learning-curve pass@1 whose steps and completions to reach are reported per tier; null: halfway from the " +
      "base's to the best variant's last curve point",
  }),
  reference: field("string", "grpo", {
    doc: "the variant every other variant is compared with (besides the base); absent from the grid: none",
  }),
  candidate: field("string", null, {
    nullable: true,
    doc: "the variant the grid puts forward (the cross-domain findings test it); null: none named",
  }),
  contrasts: field("string", "", {
    doc: "pairs of variants the verdict across bases also compares, each `a/b`, comma-separated (e.g. " +
      "`guide-grpo/guide-no-is`: Guide's IS correction against its nearest ablation); grids of several bases",
  }),
  test: field("string", "welch", {
    choices: ["welch", "paired"],
    doc: "welch: Welch's t-test over seeds; paired: a paired t-test by seed against the reference (same seeds)",
  }),
  adjust: field("string", "holm", {
    choices: ["holm", "bonferroni", "bh", "by", "none"],
    doc: "p-value adjustment across the verdict's comparisons (bh, by: false discovery rate)",
  }),
  alpha: field("number", 0.05, { min: 0.0001, max: 0.5, doc: "level at which an adjusted test decides" }),
  equivalence: section({
    passAt1: field("number", 0.02, { min: 0, max: 1, doc: "pass@1 difference within which TOST may call two equal" }),
    passAtK: field("number", 0.05, { min: 0, max: 1, doc: "pass@k difference within which TOST may call two equal" }),
  }, 'The margins of "≈": two one-sided tests (TOST) that a difference lies within ±margin.'),
  minSeeds: field("integer", 3, { min: 2, doc: "seeds a variant needs before the verdict calls a difference" }),
  baseDraws: field("integer", 5, {
    min: 1,
    doc: "independent evaluations of the base (its error bars; comparisons with it need 2 or more)",
  }),
}, "How `summary.md` reads the runs: pass@k, the reference and the candidate, the tests behind the verdict.");

/** The grid's `summary` section, resolved. */
export type SummarySettings = Resolved<typeof SUMMARY_SCHEMA>;

/**
 * The grid's optional `calibration` section: the SFT base is measured per tier, plain and with each hint style,
 * before the runs (`deno task calibrate` does the same alone), so one `deno task ablation` regenerates it too.
 */
export const CALIBRATION_SCHEMA = section({
  problems: field("integer", 128, { min: 1, doc: "validation problems per tier" }),
  samples: field("integer", 16, { min: 1, doc: "samples per problem and context (pass@1 and pass@samples)" }),
}, "Calibrate the base before the runs: per tier, plain and with each hint style, on the validation split.");

/** A parsed grid: the SFT base (when the grid builds one), the runs, the summary settings. */
export interface Grid {
  /** Where it came from (for messages) and its text (saved beside the results). */
  file: string;
  text: string;
  /** The base policy's SFT run, built once and shared by every run whose `model.checkpoint` is unset (the first of `bases`). */
  sft?: GridRun;
  /**
   * Every SFT base the runs start from: one per seed of the `sft` section (`seed: [0, 1, 2]`), each built once; every
   * run is repeated from each, so the base is a factor of the grid. Empty without an `sft` section.
   */
  bases: GridRun[];
  runs: GridRun[];
  summary: SummarySettings;
  /** Calibrate the base before the runs (the `calibration` section), or not (null). */
  calibration: { problems: number; samples: number } | null;
}

/** Keys the ablation sets itself. */
const RESERVED: Record<string, string> = {
  workers: "the ablation sets it: --workers N runs at a time, each single-threaded",
};

/** The model keys a run takes from its SFT base (the shapes must agree). */
const SHAPE_KEYS = ["dModel", "layers", "heads", "ctx"] as const;

/** Where a grid's runs find the base built by its `sft` section, relative to the output folder. */
export function basePath(sftId: string): string {
  return `bases/${sftId}/checkpoint`;
}

/** Canonical JSON: keys sorted at every level, so equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The stable id of a resolved config and the dataset it names (its committed checksums): equal configs on equal data
 * share an id; a regenerated dataset gives new ids, so stale runs are never resumed or reported as current.
 */
export async function runId(config: RunConfig): Promise<string> {
  const domain = String((config.data as Record<string, unknown>).domain);
  const identity = configIdentity(config);
  const hash = (await sha256Hex(canonicalJson({ config: identity, dataset: await datasetDigest(domain) }))).slice(
    0,
    10,
  );
  return `${config.algorithm}-s${config.seed}-${hash}`;
}

/** The schema node at a dotted path, or an error message naming the closest valid key. */
function specAt(path: string): { spec?: Spec; problem?: string } {
  let node: Spec = RUN_SCHEMA;
  const parts = path.split(".");
  for (const [i, part] of parts.entries()) {
    if (node.kind !== "section") return { problem: `"${parts.slice(0, i).join(".")}" has no keys below it` };
    const section: SectionSpec = node;
    if (!(part in section.fields)) {
      const near = closestKey(part, Object.keys(section.fields));
      const where = i > 0 ? ` in "${parts.slice(0, i).join(".")}"` : "";
      return { problem: `unknown key "${part}"${where}${near ? ` (did you mean "${near}"?)` : ""}` };
    }
    node = section.fields[part];
  }
  return { spec: node };
}

/** `base` with `overrides` merged in, section by section. */
function deepMerge(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(base);
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] = value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object"
      ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
      : value;
  }
  return out;
}

function hasPath(object: unknown, path: string[]): boolean {
  let node = object;
  for (const part of path) {
    if (!node || typeof node !== "object" || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!node[part] || typeof node[part] !== "object") node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/** Parse and check a grid file's text; every run is resolved, so a bad value fails here with its line. */
export async function parseGrid(text: string, file: string): Promise<Grid> {
  const source = new GridSource(text, file);
  const base = source.object("base");
  for (const [key, why] of Object.entries(RESERVED)) {
    if (key in base) throw new ConfigError(file, source.lineIn("base")([key]), `key "${key}": ${why}`);
  }
  // The base alone must be a valid config (errors carry their lines).
  resolve(RUN_SCHEMA, base, { file, lineOf: source.lineIn("base") });
  const variants = gridVariants(source, base);
  const bases = await gridBases(source);
  const sft = bases[0];
  const summaryLine = source.lineIn("summary");
  const summary = resolve(SUMMARY_SCHEMA, source.object("summary"), { file, lineOf: summaryLine }) as Grid["summary"];
  contrastsOf(summary.contrasts, variants.map(([name]) => name).filter((n) => n !== undefined), (why) => {
    throw new ConfigError(file, summaryLine(["contrasts"]), `key "summary.contrasts": ${why}`);
  });
  let calibration: Grid["calibration"] = null;
  if (source.root.has("calibration")) {
    const calibrationLine = source.lineIn("calibration");
    if (!sft) {
      throw new ConfigError(file, calibrationLine([]), "`calibration` needs an `sft` section (the base it measures)");
    }
    calibration = resolve(CALIBRATION_SCHEMA, source.object("calibration"), {
      file,
      lineOf: calibrationLine,
    }) as Grid["calibration"];
  }
  const runs = await gridRuns(source, variants, gridAxes(source), bases);
  const k = Math.min(...runs.map((r) => r.config.eval.finalSamples));
  if (summary.k > k) {
    throw new ConfigError(file, summaryLine(["k"]), `key "summary.k": ${summary.k} is above eval.finalSamples (${k})`);
  }
  return { file, text, sft, bases, runs, summary, calibration };
}

/**
 * The pairs of `summary.contrasts` (`a/b, c/d`), each two different variants; `fail` says what is wrong (a name
 * that is no variant, when the grid names its variants).
 */
export function contrastsOf(
  text: string,
  variants: string[] = [],
  fail: (why: string) => never = (why) => {
    throw new Error(why);
  },
): [string, string][] {
  const pairs: [string, string][] = [];
  for (const item of text.split(",").map((s) => s.trim()).filter((s) => s.length > 0)) {
    const names = item.split("/").map((s) => s.trim());
    if (names.length !== 2 || !names[0] || !names[1] || names[0] === names[1]) {
      fail(`"${item}" is not a pair of two variants written a/b`);
    }
    for (const name of names) {
      if (variants.length > 0 && !variants.includes(name)) {
        const near = closestKey(name, variants);
        fail(`"${name}" is no variant of this grid${near ? ` (did you mean "${near}"?)` : ""}`);
      }
    }
    pairs.push([names[0], names[1]]);
  }
  return pairs;
}

/** A grid's YAML with the lines of its nodes, so that every error names `file:line`. */
class GridSource {
  readonly root: YAMLMap;
  readonly js: Record<string, unknown>;
  private readonly lineCounter = new LineCounter();

  constructor(text: string, readonly file: string) {
    const doc = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      throw new ConfigError(file, error.linePos?.[0]?.line, `invalid YAML: ${error.message.split("\n")[0]}`);
    }
    const root = doc.contents;
    if (!isMap(root)) {
      throw new ConfigError(
        file,
        1,
        "a grid is a mapping with `base` and `axes` (and `sft`, `summary`, `calibration`)",
      );
    }
    const topKeys = ["sft", "base", "variants", "axes", "summary", "calibration"];
    for (const pair of root.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!topKeys.includes(key)) {
        const near = closestKey(key, topKeys);
        throw new ConfigError(
          file,
          this.lineOf(pair.key),
          `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ""}`,
        );
      }
    }
    this.root = root as YAMLMap;
    this.js = (doc.toJS() ?? {}) as Record<string, unknown>;
  }

  /** The line a YAML node starts on. */
  lineOf(node: unknown): number | undefined {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? this.lineCounter.linePos(range[0]).line : undefined;
  }

  /** The line of a dotted path inside a top-level section (the section's own line when the key is absent). */
  lineIn(top: string): (path: string[]) => number | undefined {
    return (path) => {
      let node: unknown = this.root.get(top, true);
      let line = this.lineOf(node);
      for (const part of path) {
        if (!isMap(node)) break;
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === part);
        if (!pair) break;
        line = this.lineOf(pair.key) ?? line;
        node = pair.value;
      }
      return line;
    };
  }

  /** A top-level section as a plain object (absent: empty), or an error if it is not a mapping. */
  object(key: string): Record<string, unknown> {
    const value = this.js[key] ?? {};
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new ConfigError(this.file, this.lineOf(this.root.get(key, true)), `\`${key}\` is a mapping of config keys`);
    }
    return value as Record<string, unknown>;
  }
}

/** Named variants: each a set of overrides of the base (none: the base alone). */
function gridVariants(
  source: GridSource,
  base: Record<string, unknown>,
): [string | undefined, Record<string, unknown>][] {
  const { file } = source;
  if (!source.root.has("variants")) return [[undefined, base]];
  const variantsLine = source.lineIn("variants");
  const baseLine = source.lineIn("base");
  const variants: [string | undefined, Record<string, unknown>][] = [];
  for (const [name, overrides] of Object.entries(source.object("variants"))) {
    const line = (path: string[]) => variantsLine([name, ...path]);
    if (!overrides || typeof overrides !== "object" || Array.isArray(overrides)) {
      throw new ConfigError(file, line([]), `variants: "${name}" is a mapping of config keys`);
    }
    for (const [key, why] of Object.entries(RESERVED)) {
      if (key in overrides) throw new ConfigError(file, line([key]), `key "${key}": ${why}`);
    }
    const merged = deepMerge(base, overrides as Record<string, unknown>);
    resolve(RUN_SCHEMA, merged, { file, lineOf: (path) => (hasPath(overrides, path) ? line(path) : baseLine(path)) });
    variants.push([name, merged]);
  }
  if (variants.length === 0) throw new ConfigError(file, variantsLine([]), "`variants` names at least one variant");
  return variants;
}

/**
 * The SFT bases the runs start from, when the grid builds them: one, or one per seed where the section's `seed` is a
 * list (independently trained bases, the grid's base factor).
 */
async function gridBases(source: GridSource): Promise<GridRun[]> {
  if (!source.root.has("sft")) return [];
  const { file } = source;
  const raw = source.object("sft");
  const sftLine = source.lineIn("sft");
  if (raw.algorithm !== undefined && raw.algorithm !== "sft") {
    throw new ConfigError(file, sftLine(["algorithm"]), `key "algorithm": the \`sft\` section builds the base (sft)`);
  }
  for (const [key, why] of Object.entries(RESERVED)) {
    if (key in raw) throw new ConfigError(file, sftLine([key]), `key "${key}": ${why}`);
  }
  const seeds = Array.isArray(raw.seed) ? raw.seed : [raw.seed];
  if (seeds.length === 0) throw new ConfigError(file, sftLine(["seed"]), 'key "seed": an empty list of base seeds');
  if (new Set(seeds).size !== seeds.length) {
    throw new ConfigError(file, sftLine(["seed"]), `key "seed": base seeds repeat (${seeds.join(", ")})`);
  }
  const bases: GridRun[] = [];
  for (const seed of seeds) {
    const section = seed === undefined ? { ...raw } : { ...raw, seed };
    const config = resolve(RUN_SCHEMA, { ...section, algorithm: "sft", workers: 1 }, {
      file,
      lineOf: sftLine,
    }) as RunConfig;
    bases.push({ id: await runId(config), config, axes: {} });
  }
  return bases;
}

/** The axes: config paths, each with its list of values and its line. */
function gridAxes(source: GridSource): [string, unknown[], number | undefined][] {
  const { file } = source;
  const axesNode = source.root.get("axes", true);
  const axes: [string, unknown[], number | undefined][] = [];
  if (axesNode === undefined || axesNode === null) return axes;
  if (!isMap(axesNode)) {
    throw new ConfigError(file, source.lineOf(axesNode), "`axes` maps config keys to lists of values");
  }
  for (const pair of axesNode.items) {
    const path = isScalar(pair.key) ? String(pair.key.value) : "";
    const line = source.lineOf(pair.key);
    if (RESERVED[path]) throw new ConfigError(file, line, `axes: key "${path}": ${RESERVED[path]}`);
    const { spec, problem } = specAt(path);
    if (problem) throw new ConfigError(file, line, `axes: ${problem}`);
    if (spec!.kind !== "field") throw new ConfigError(file, line, `axes: "${path}" is a section, not a value`);
    if (!isSeq(pair.value) || pair.value.items.length === 0) {
      throw new ConfigError(file, line, `axes: key "${path}": expected a non-empty list of values`);
    }
    axes.push([path, pair.value.toJSON() as unknown[], line]);
  }
  return axes;
}

/**
 * The runs: every variant × the axes' cartesian product (first axis slowest) × the SFT bases, each taking its model
 * shape, domain and base checkpoint from its SFT base unless it names its own base; runs that resolve to one config
 * are one run. With several bases each run's axes name its base (`base`: the base's id).
 */
async function gridRuns(
  source: GridSource,
  variants: [string | undefined, Record<string, unknown>][],
  axes: [string, unknown[], number | undefined][],
  bases: GridRun[],
): Promise<GridRun[]> {
  const { file } = source;
  const baseLine = source.lineIn("base");
  const lineOfPath = (path: string[]) => axes.find(([p]) => p === path.join("."))?.[2] ?? baseLine(path);
  let combos: Record<string, unknown>[] = [{}];
  for (const [path, values] of axes) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [path]: v })));
  const runs: GridRun[] = [];
  const seen = new Set<string>();
  for (const [variant, start] of variants) {
    for (const combo of combos) {
      for (const sft of bases.length > 0 ? bases : [undefined]) {
        const merged = structuredClone(start) as Record<string, unknown>;
        for (const [path, value] of Object.entries(combo)) setPath(merged, path, value);
        merged.workers = 1;
        if (sft) startFromBase(merged, sft, file, lineOfPath);
        else if (((merged.model ?? {}) as Record<string, unknown>).checkpoint == null) {
          throw new ConfigError(
            file,
            source.lineOf(source.root.items.find((p) => isScalar(p.key) && p.key.value === "base")?.key) ?? 1,
            "runs need a base policy: add an `sft` section (built once, then cached) or set base.model.checkpoint",
          );
        }
        const config = resolve(RUN_SCHEMA, merged, { file, lineOf: lineOfPath }) as RunConfig;
        if (config.algorithm === "sft") {
          throw new ConfigError(
            file,
            lineOfPath(["algorithm"]),
            `key "algorithm": runs are RL algorithms (${
              ALGORITHMS.filter((a) => a !== "sft").join(", ")
            }); the base is built by the \`sft\` section`,
          );
        }
        const id = await runId(config);
        if (seen.has(id)) continue; // two axis values that resolve to the same config are one run
        seen.add(id);
        const named = variant === undefined ? combo : { variant, ...combo };
        runs.push({ id, config, axes: bases.length > 1 && sft ? { ...named, base: sft.id } : named });
      }
    }
  }
  return runs;
}

/** A run without its own base checkpoint takes the SFT base's model shape, domain and checkpoint. */
function startFromBase(
  merged: Record<string, unknown>,
  sft: GridRun,
  file: string,
  lineOfPath: (path: string[]) => number | undefined,
): void {
  const model = (merged.model ?? {}) as Record<string, unknown>;
  if (model.checkpoint !== undefined && model.checkpoint !== null) return;
  const sftModel = sft.config.model as Record<string, unknown>;
  for (const key of SHAPE_KEYS) {
    if (model[key] !== undefined && model[key] !== sftModel[key]) {
      throw new ConfigError(
        file,
        lineOfPath(["model", key]),
        `key "model.${key}" is ${model[key]} but the sft base's is ${sftModel[key]} (runs start from it)`,
      );
    }
    setPath(merged, `model.${key}`, sftModel[key]);
  }
  setPath(merged, "model.checkpoint", basePath(sft.id));
  const data = (merged.data ?? {}) as Record<string, unknown>;
  if (data.domain === undefined) setPath(merged, "data.domain", sft.config.data.domain);
}

/**
 * The grid seen one SFT base at a time: per base, its runs with that base as the grid's `sft` (what a one-base grid
 * of the same runs would be). A grid with one base or none is itself; runs that name their own checkpoint go with the
 * first base.
 */
export function gridsByBase(grid: Grid): Grid[] {
  if (grid.bases.length < 2) return [grid];
  const owned = new Set(grid.bases.map((b) => basePath(b.id)));
  return grid.bases.map((sft, i) => ({
    ...grid,
    sft,
    bases: [sft],
    runs: grid.runs.filter((r) => {
      const checkpoint = String(r.config.model.checkpoint);
      return checkpoint === basePath(sft.id) || (i === 0 && !owned.has(checkpoint));
    }),
  }));
}

/** Read and parse a grid file. */
export async function loadGrid(file: string): Promise<Grid> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw new ConfigError(file, undefined, `cannot be read (${(e as Error).message.split("\n")[0]})`);
  }
  return await parseGrid(text, file);
}
