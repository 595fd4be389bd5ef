/**
 * Deterministic, seeded generation of the kit's datasets: `datasets/<domain>/{train,validation,test}.jsonl` for every
 * domain the registry lists (`./domains.ts`), the dataset card `datasets/README.md` (`./card.ts`) and
 * `datasets/SHA256SUMS`. Test is drawn first, then validation; train skips every canonical key of both, so the splits
 * are disjoint. Tiers are spread evenly.
 *
 * Run: `deno task data [--out datasets] [--train 20000] [--test 500] [--seed 0]` (`cli/data.ts`).
 *
 * @module
 */
import { join } from "node:path";
import { Rng } from "../random.ts";
import { sha256Hex, writeTextFileAtomic } from "../io.ts";
import { even, type Problem, type Split, TIERS } from "./spec.ts";
import { noveltyAgainst, usesHeldOut } from "./splits.ts";
import { canonicalKey, DATASET_DOMAINS, DOMAIN_SPECS, domainSpec, heldOutFacts, hintFactForms } from "./domains.ts";
import { type CardDomain, datasetCard, findCalibrations, REPOSITORY } from "./card.ts";

export { DATASET_DOMAINS } from "./domains.ts";
export { type Split, SPLITS, TIERS, type TierSizes } from "./spec.ts";

/** Sizes and seed of a generation: a total spreads evenly over the tiers and replaces the default's. */
export interface GenerateOptions {
  train?: number;
  validation?: number;
  test?: number;
  seed?: number;
}

/** The splits of one domain. */
export type DomainSplits = Record<Split, Problem[]>;

/**
 * Generate one domain's splits in memory: test, then validation, each with distinct canonical keys; then train,
 * skipping every key in test or validation and every problem stating a held-out fact (`heldOutFacts`). Test and
 * validation problems get `novelHint`: whether their hinted fact occurs in no training prompt, solution or hint.
 */
export function generateDomain(domain: string, options: GenerateOptions = {}): DomainSplits {
  const seed = options.seed ?? 0;
  const spec = domainSpec(domain);
  const generator = spec.generate;
  const sizes = (split: Split) => options[split] === undefined ? spec.sizes[split] : even(options[split]!);
  const held = heldOutFacts(domain, seed);
  const reserved = new Set<string>();
  const draw = (split: Split, perTier: number[], streamSeed: number): Problem[] => {
    const rng = new Rng(streamSeed);
    const prompts = new Set<string>();
    const keys = new Set<string>();
    const counts = perTier.map(() => 0);
    const out: Problem[] = [];
    const total = perTier.reduce((a, b) => a + b, 0);
    let tier = 0;
    // Tiers in turn, a tier retried until it takes a problem (so equal sizes interleave as 1, 2, …, 5, 1, …).
    const nextTier = (from: number) => {
      for (let i = 1; i <= TIERS; i++) {
        if (counts[(from + i) % TIERS] < perTier[(from + i) % TIERS]) return (from + i) % TIERS;
      }
      return -1;
    };
    if (counts[0] >= perTier[0]) tier = nextTier(0);
    for (let i = 0; out.length < total; i++) {
      if (i > total * 100) {
        const short = counts.map((c, t) => c < perTier[t] ? `tier ${t + 1} ${c} of ${perTier[t]}` : "").filter(Boolean);
        throw new Error(`${domain}/${split}: cannot draw enough distinct problems (${short.join(", ")})`);
      }
      const p = generator(rng, tier + 1);
      if (!p || prompts.has(p.prompt)) continue;
      const key = canonicalKey(p);
      if (reserved.has(key)) continue;
      if (split === "train" ? usesHeldOut(p, held) : keys.has(key)) continue;
      prompts.add(p.prompt);
      keys.add(key);
      counts[tier]++;
      out.push({ id: `${domain}-${split}-${String(out.length).padStart(5, "0")}`, split, ...p } as Problem);
      tier = nextTier(tier);
    }
    if (split !== "train") { for (const key of keys) reserved.add(key); }
    return out;
  };
  const domainSeed = seed * 1000 + DATASET_DOMAINS.indexOf(domain) * 10;
  const test = draw("test", sizes("test"), domainSeed + 1);
  const validation = draw("validation", sizes("validation"), domainSeed + 3);
  const train = draw("train", sizes("train"), domainSeed + 2);
  const novel = noveltyAgainst(train, hintFactForms);
  for (const p of [...test, ...validation]) p.novelHint = novel(p);
  return { train, validation, test };
}

/** The JSONL text of problems (keys in the schema's order). */
export function toJsonl(problems: Problem[]): string {
  return problems.map((p) =>
    JSON.stringify({
      id: p.id,
      domain: p.domain,
      split: p.split,
      tier: p.tier,
      prompt: p.prompt,
      answer: p.answer,
      hint: p.hint,
      hints: p.hints,
      solution: p.solution,
      novelHint: p.novelHint,
    })
  ).join("\n") + "\n";
}

/**
 * Generate every domain and write the files and the card under `out`; returns the files with their SHA-256. The card
 * (`./card.ts`) describes the registered domains and the calibrations found under `repository`.
 */
export async function writeDatasets(
  out: string,
  options: GenerateOptions = {},
  repository = REPOSITORY,
): Promise<Record<string, string>> {
  const checksums: Record<string, string> = {};
  const domains: CardDomain[] = [];
  for (const spec of DOMAIN_SPECS) {
    const splits = generateDomain(spec.name, options);
    const files: CardDomain["files"] = [];
    for (const split of ["train", "validation", "test"] as const) {
      const text = toJsonl(splits[split]);
      const file = join(spec.name, `${split}.jsonl`);
      await writeTextFileAtomic(join(out, file), text);
      checksums[file] = await sha256Hex(text);
      files.push({ split, perTier: tierCounts(splits[split]), sha256: checksums[file] });
    }
    const novel = (split: "validation" | "test") => tierCounts(splits[split].filter((p) => p.novelHint));
    const all = [...splits.train, ...splits.validation, ...splits.test];
    domains.push({
      spec,
      files,
      heldOut: heldOutFacts(spec.name, options.seed ?? 0),
      novel: { test: novel("test"), validation: novel("validation") },
      longest: all.reduce((most, p) => Math.max(most, p.prompt.length + longestHint(p) + p.solution.length), 0),
      examples: spec.card.examples.map((tier) => exampleProblem(spec.name, tier)),
    });
  }
  const card = datasetCard({ seed: options.seed ?? 0, domains, calibrations: await findCalibrations(repository) });
  await writeTextFileAtomic(join(out, "README.md"), card);
  const sums = Object.entries(checksums).map(([file, sum]) => `${sum}  ${file}`).join("\n") + "\n";
  await writeTextFileAtomic(join(out, "SHA256SUMS"), sums);
  return checksums;
}

/** The longest of a problem's hints, in characters. */
function longestHint(problem: Problem): number {
  return Math.max(...Object.values(problem.hints).map((h) => h.length));
}

/** Problems per tier, tiers 1–5. */
export function tierCounts(problems: Problem[]): number[] {
  return Array.from({ length: TIERS }, (_, t) => problems.filter((p) => p.tier === t + 1).length);
}

/** The card's example of a tier: the first problem a generator seeded with `99 + tier` draws. */
function exampleProblem(domain: string, tier: number): Problem {
  const generate = domainSpec(domain).generate;
  const rng = new Rng(99 + tier);
  let p = generate(rng, tier);
  while (!p) p = generate(rng, tier);
  return { id: `${domain}-example-${tier}`, split: "train", ...p };
}
