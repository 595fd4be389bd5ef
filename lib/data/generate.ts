/**
 * Deterministic, seeded generation of the kit's datasets: `datasets/<domain>/{train,validation,test}.jsonl` for every
 * domain the registry lists (`./domains.ts`), the dataset card `datasets/README.md` and `datasets/SHA256SUMS`. Test
 * is drawn first, then validation; train skips every canonical key of both, so the splits are disjoint. Tiers are
 * spread evenly.
 *
 * Run: `deno task data [--out datasets] [--train 20000] [--test 500] [--seed 0]`.
 *
 * @module
 */
import { parseFlags } from "../flags.ts";
import { join } from "node:path";
import { Rng } from "../random.ts";
import { sha256Hex, writeTextFileAtomic } from "../io.ts";
import { even, type Problem, type Split, TIERS } from "./spec.ts";
import { noveltyAgainst, usesHeldOut } from "./splits.ts";
import { canonicalKey, DATASET_DOMAINS, domainSpec, heldOutFacts, hintFactForms } from "./domains.ts";

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

/** Generate every domain and write the files and the card under `out`; returns the files with their SHA-256. */
export async function writeDatasets(out: string, options: GenerateOptions = {}): Promise<Record<string, string>> {
  const checksums: Record<string, string> = {};
  const rows: string[] = [];
  const novel: string[] = [];
  for (const domain of DATASET_DOMAINS) {
    const splits = generateDomain(domain, options);
    for (const split of ["train", "validation", "test"] as const) {
      const text = toJsonl(splits[split]);
      const file = join(domain, `${split}.jsonl`);
      await writeTextFileAtomic(join(out, file), text);
      checksums[file] = await sha256Hex(text);
      const perTier = tierCounts(splits[split]);
      rows.push(`| ${domain} | ${split} | ${splits[split].length} | ${perTier.join(" / ")} | \`${checksums[file]}\` |`);
    }
    const held = heldOutFacts(domain, options.seed ?? 0);
    const cells = (split: "validation" | "test") => tierCounts(splits[split].filter((p) => p.novelHint)).join(" / ");
    novel.push(
      `| ${domain} | ${held.map((f) => `\`${f}\``).join(", ") || "none"} | ${cells("test")} | ${cells("validation")} |`,
    );
  }
  await writeTextFileAtomic(join(out, "README.md"), card(rows, novel, options));
  const sums = Object.entries(checksums).map(([file, sum]) => `${sum}  ${file}`).join("\n") + "\n";
  await writeTextFileAtomic(join(out, "SHA256SUMS"), sums);
  return checksums;
}

/** Problems per tier, tiers 1–5. */
export function tierCounts(problems: Problem[]): number[] {
  return Array.from({ length: TIERS }, (_, t) => problems.filter((p) => p.tier === t + 1).length);
}

function card(rows: string[], novel: string[], options: GenerateOptions): string {
  const example = (domain: string, tier: number) => {
    const generate = domainSpec(domain).generate;
    const rng = new Rng(99 + tier);
    let p = generate(rng, tier);
    while (!p) p = generate(rng, tier);
    return `- tier ${tier}: \`${p.prompt}\` → \`${p.solution}\`; hints: strategy "${p.hints.strategy}", value "${p.hints.value}", prefix "${p.hints.prefix}"`;
  };
  return `# Datasets

Generated by \`deno task data\` (\`lib/data/generate.ts\`, seed ${options.seed ?? 0}): deterministic, so the
files below are reproduced byte for byte. Together they are over the 20 MB the repository holds, so only
this card and \`SHA256SUMS\` are committed: \`loadProblems\` (\`lib/data/load.ts\`) generates the files on first
use and checks every file against \`SHA256SUMS\` before reading it, and \`tests/datasets_test.ts\` checks that a
fresh generation matches the committed sums. One JSON object a line,
in the schema of \`docs/design.md\` (\`id, domain, split, tier, prompt, answer, hint, solution\`) plus \`hints\`,
the same hint in every style, and on validation and test lines \`novelHint\` (below):

- \`strategy\` (default, in \`hint\`): the method or the first operation to do, without its result;
- \`value\`: one intermediate value;
- \`prefix\`: the first solution step verbatim — kept only for the ablation that shows why it fails
  (\`docs/testbed.md\`: copied steps are shared by hinted successes and failures, so the group
  baseline cancels them). For one-step problems, whose first step is the answer, it falls back to the strategy.

No hint contains the final answer; tiers are spread evenly within each split's sizes (tests check both).
Longest hinted context + solution, in characters: math 116 (fits the default policy's ctx 128), science 227 and
code 258 (use ctx 256–320 for those domains), arith 50, physics 112, powers 89, programs 75.

**Three splits, one use each.** \`train\` is for SFT and RL; \`validation\` is for calibration
(\`deno task calibrate\`, a grid's \`calibration\` section) and any other choice made by looking at results; \`test\`
is for the final evaluation only (a run's held-out evaluations and the base evaluation). Test is drawn first, then
validation, then train. No two splits share a problem up to the order of commutative operands: each problem has a
canonical key (\`lib/data/splits.ts\`), and train skips every key of test and validation (test and validation hold
each key once). The key: \`arith\`, \`powers\`, \`math\` and \`programs\` the expression's tree by precedence with the
operands of every \`+\` and \`*\` sorted (\`17+8*5\` = \`17+5*8\` = \`8*5+17\`; \`a-b\` ≠ \`b-a\`, \`3^2\` ≠ \`2^3\`,
\`(A+b)+c\` ≠ \`A+(b+c)\`); \`physics\` the signed formula and its substituted expression's key (swapping the values
of \`a\` and \`t\` in \`v=u+a*t\` gives the same key); \`science\` the question without its options (only the options'
order is free: a question's operands have roles, an acceleration is not a time); \`code\` the function and its three
shown examples as a set. Before this rule (train skipped only test's prompt strings), test problems per tier 1–5
that shared a key with a training problem were: \`arith\` 0 / 0 / 121 / 7 / 4 of 200 (a product's factors swapped),
\`physics\` 0 / 0 / 45 / 4 / 1, \`powers\` 5 / 0 / 0 / 0 / 0, \`programs\` 15 / 1 / 92 / 31 / 32, \`science\`
100 / 100 / 91 / 95 / 99 of 100 (the same question with its options shuffled), \`code\` 5 / 0 / 4 / 0 / 0, \`math\` none. Where a tier's space is small, train is smaller: \`arith\` tier 3 (\`A±b*c\`: 2,750 prompts in 1,537
keys) trains on 1,600 problems; \`science\` tier 2 (406 questions in all) validates on 100.

**Novel-hint subset.** A test or validation problem has \`novelHint: true\` when the fact its \`value\` hint gives
occurs in no training prompt, solution or hint (as a whole token sequence, in either order of a commutative
operation: \`6*9\` or \`9*6\`; \`physics\` also the hint itself, \`a*t=54\`; \`science\`, \`code\` and \`math\` tier 1,
whose hints are sentences, the sentence). So that the subset exists where the fact spaces are small, a few facts are
held out of training by construction (seeded, \`heldOutFacts\`): no training problem states them anywhere. SFT on tiers
1–2 (sums only) loses nothing; RL's training problems of tiers 3–5 lose those that use them. Novel-hint problems per
tier 1 / 2 / 3 / 4 / 5:

| domain | held out of train | test | validation |
| --- | --- | --- | --- |
${novel.join("\n")}

| domain | split | problems | per tier 1 / 2 / 3 / 4 / 5 | SHA-256 |
| --- | --- | --- | --- | --- |
${rows.join("\n")}

## Math (verifier: math)

Integer arithmetic with precedence and brackets, solved by rewriting one operation at a time and ending in
\`\\boxed{answer}\`. Operands have 2–3 digits, so answers spread over thousands of values: a guesser that draws 16
answers from each tier's own answer distribution has pass@16 under 1% (measured in \`tests/datasets_test.ts\`).
Difficulty comes from planning as well as length: tier 1 one operation; 2 two operations in left-to-right order;
3 \`a ± b*c\` (the product first); 4 \`a ± b*c ± d*e\`; 5 \`(a ± b)*(c ± d)\`.

${[1, 3, 5].map((t) => example("math", t)).join("\n")}

## Science (verifier: choice)

Four-option questions on rates and kinematics; wrong options are the results of typical mistakes. Tier 1 speed
from distance and time; 2 with a unit conversion; 3 distance or time from a rate; 4 final speed under constant
acceleration; 5 distance under constant acceleration. Four options make a guesser's pass@16 high by nature: read
science pass@k against that floor.

${[1, 4].map((t) => example("science", t)).join("\n")}

## Code (verifier: code)

Write \`f\` from three input/output examples; four hidden tests decide. Tier 1 \`x + b\`; 2 \`a*x + b\`;
3 \`a*x*x + b\`; 4 an affine map over an array; 5 filter then map.

${[2, 5].map((t) => example("code", t)).join("\n")}

## Arith (verifier: chain)

The second toy testbed of \`docs/testbed.md\`, the design that showed a Guide effect: a leading
operand of 0–40, every intermediate value in [0, 99], solved by rewriting one operation at a time; the reward is an
exact match of the whole chain (\`chain\` verifier), so a guessed number scores nothing. 9,600 training, 1,280
validation and 1,000 test problems (2,000, 256 and 200 a tier, but 1,600 training problems in tier 3, which has only
about 2,750 distinct problems in 1,537 canonical keys). Tier 1
\`A±b±c\` left to right, half the later operands with two digits; 2 three such operations; 3 \`A±b*c\`; 4
\`A±b±c*d\`; 5 \`A±b*c±d*e\` (single-digit operands after the first). The \`value\` hint names the first
operation by precedence and its result.

${[1, 3, 4].map((t) => example("arith", t)).join("\n")}

## Physics (verifier: chain)

The science domain at toy scale: formula application. A prompt is a formula and its givens in alphabetical order;
the solution substitutes them, then rewrites one operation at a time as \`arith\` does, each line restating the
quantity (\`v=23+6*7;v=23+42;v=65\`). Each tier mixes three formulas: 1 net force, position or heat as a sum of
three terms (\`F=F1±F2±F3\`); 2 four terms; 3 one product (\`v=u±a*t\`, \`x=x0±v*t\`, \`p=p0±F*t\`); 4 a term and a
product (\`x=x0±d±v*t\`, \`v=u±w±a*t\`, \`E=E0±Q±F*d\`); 5 two products (\`p=p0±F1*t1±F2*t2\`, \`E=E0±F1*d1±F2*d2\`,
\`x=x0±v1*t1±v2*t2\`, names spelled only with characters the lower tiers use). Every value stays in [0, 99]. Guessing is
ruled out by the judge: a guesser that draws 16 final numbers from a tier's own answer distribution would reach
pass@16 0.15–0.17 if only the number were judged (\`tests/chain_domains_test.ts\` measures it), and scores 0 against
the whole chain. The \`value\` hint names the first operation in the formula's symbols with its result
(\`a*t=42\`), not its operands' numbers (a base copied those into its substitution); the SFT's hints that name a later operation (\`alternativeFraction\`) are \`physicsAlternative\`'s.

${[1, 3, 4].map((t) => example("physics", t)).join("\n")}

## Powers (verifier: chain)

The math domain at toy scale beyond \`arith\`: brackets and squares, rewritten one operation at a time by precedence
(the innermost bracket first; a power before a product before a sum). 1 \`A±(b±c)\` or \`(A±b)±c\`; 2 three operations
with brackets (\`A±(b±c)±d\`, \`(A±b)±(c±d)\`, \`A±(b±c±d)\`); 3 a square and two operations (\`A±b^2±c\`); 4 a cube
of 3 or 4 opening a bracket (\`A±(c^3±b)\`: no cube is in the base's SFT); 5 two squares in brackets. Values in [0, 99]; the chain is judged (a number-only
guesser's pass@16 would be 0.15–0.17). The \`value\` hint names the first operation and its result (\`3^2 is 9\`).

${[1, 3, 4].map((t) => example("powers", t)).join("\n")}

## Programs (verifier: program)

The code domain at toy scale: write a function of \`x\` and \`y\`, given as a formula, in a tiny straight-line
language, one operation a statement (\`name=operand op operand\`, then \`return name\`). The \`program\` verifier
parses and interprets the body (nothing is run, so no sandbox is needed: ≈ 10 µs a sample) on 8 hidden \`(x, y)\` tests
in [0, 20]²; any correct body passes, in any order and with any names. Tiers follow \`arith\`'s ladder: 1 \`A±b±c\`;
2 \`A±b±c±d\`; 3 \`A±b*c\`; 4 \`A±b±c*d\`; 5 \`A±b*c±d*e\`, operands \`x\`, \`y\` or literals, a product a digit and a
parameter or \`x*y\`. Guessing is ruled out with numbers: 16 bodies copied from other problems of the same tier pass
a test problem's tests at most 1% of the time (\`tests/programs_test.ts\`). The \`value\` hint is the first
statement (\`a=3*x\`); the SFT's hints that name a later operation are \`programAlternative\`'s.

${[1, 3, 4].map((t) => example("programs", t)).join("\n")}

## Calibration

The tables below are from the previous splits (calibrated on the test split, with a training split that shared
canonical keys with it and held no facts out) and are not yet measured again on the validation split; the bases they
describe were trained on the old training split. The one base rebuilt on these splits so far is the shipped \`arith\`
base (\`bases/sft-s0-2847500100\`, the \`paper-arith.yaml\` / \`main.yaml\` recipe, 2026-12-07), on validation, 128 problems
a tier × 16 samples:

| arith tier | plain pass@1 | plain pass@16 | \`value\` hint pass@16 | regime |
| --- | --- | --- | --- | --- |
| 1 | 0.818 | 0.953 | 0.930 | learned |
| 2 | 0.698 | 0.945 | 0.852 | learned |
| 3 | 0.041 | 0.289 | 0.680 | self-distillation |
| 4 | 0 | 0 | 0.133 | out of reach |
| 5 | 0 | 0 | 0 | out of reach |

The base it replaced scored tier 4 \`value\` pass@16 0.164 on the old test split (its shipped calibration); the 0.297
below is an earlier base's.

Measured 2026-11-25 with \`deno task calibrate lib/ablation/grids/paper-arith.yaml\` (the base every run of the paper
grid starts from: d 128 × 4 layers, 3,000 × 64 SFT on arith tiers 1–2, half hinted; 128 of the 200 held-out problems
per tier × 16 samples; the README's Results has the whole table and what it depends on):

| arith tier | plain pass@1 | plain pass@16 | \`value\` hint pass@16 |
| --- | --- | --- | --- |
| 1 | 0.799 | 0.961 | 0.961 |
| 2 | 0.637 | 0.938 | 0.883 |
| 3 | 0.034 | 0.297 | 0.578 |
| 4 | 0 | 0 | 0.297 |
| 5 | 0 | 0 | 0 |

Tier 3 is in the self-distillation regime; tier 4 is unreachable plain and reachable hinted (0.297, a hair short of
the 0.3 the calibration's capability-gain label asks for; RL does gain there); tier 5 is out of reach. A base trained
2,000 × 64 steps on the earlier 5,000-problem split (1,000 a tier) scored far better on its training problems than on
held-out ones (tier 1 pass@1 0.66 against 0.48): it memorized, hence this split's size. The \`math\` domain
is beyond a base trainable on two cores (a small base reaches tiers 1–2 rarely and tiers 3–5 not at all, even hinted).

The \`physics\` and \`powers\` bases (\`deno task calibrate lib/ablation/grids/domain-<name>.yaml\`, 2026-11-27, same
architecture and SFT length, 128 problems a tier × 16 samples; the README's "Three domains" has the story):

| tier | physics plain pass@1 / @16 | physics \`value\` @16 | powers plain pass@1 / @16 | powers \`value\` @16 |
| --- | --- | --- | --- | --- |
| 1 | 0.806 / 0.930 | 0.969 | 0.812 / 0.938 | 0.969 |
| 2 | 0.645 / 0.930 | 0.836 | 0.650 / 0.836 | 0.938 |
| 3 | 0.022 / 0.195 | 0.914 | 0.044 / 0.266 | 0.242 |
| 4 | 0 / 0 | 0.656 | 0 / 0 | 0.594 |
| 5 | 0 / 0 | 0 | 0 / 0 | 0 |

\`powers\` (tier 4 cubes of 3 and 4 only: with \`2^3\`, a one-digit value, 2 of 128 problems were guessed plain):
learned, self-distillation and capability gain (tier 4: 0 plain, 0.594 hinted).
\`physics\` (2% rare examples: tier 3 0.3% plain and 0.7% hinted, \`sft.rareHintedFraction\`; tier 4 1% and only
hinted, \`sft.rareHintedTiers\`): the three regimes as \`deno task calibrate\` labels them, learned, self-distillation
(tier 3) and capability gain (tier 4: 0 plain, 0.656 hinted); tier 5 is out of reach even hinted.

The \`programs\` base (\`deno task calibrate lib/ablation/grids/domain-programs.yaml\`, 2026-11-27: 2,000 × 64 SFT on
tiers 1–2 with 0.3% hinted and 0.05% plain tier-3 examples):

| programs tier | plain pass@1 | plain pass@16 | \`value\` pass@1 | \`value\` pass@16 | regime |
| --- | --- | --- | --- | --- | --- |
| 1 | 0.996 | 1.000 | 0.960 | 1.000 | learned |
| 2 | 0.992 | 1.000 | 0.911 | 1.000 | learned |
| 3 | 0.0005 | 0.008 | 0.746 | 0.922 | self-distillation (1 of 128 problems) |
| 4 | 0 | 0 | 0.149 | 0.367 | capability gain |
| 5 | 0 | 0 | 0.003 | 0.016 | out of reach |

## Bringing your own data

\`lib/data/loaders.ts\` maps GSM8K (\`{question, answer}\` with \`#### x\`) and MATH (\`{problem, solution}\` with
\`\\boxed{}\`) JSONL onto this schema.
`;
}

if (import.meta.main) {
  const { values } = parseFlags("data", "usage: deno task data [--train N] [--test N] [--seed 0] [--out DIR]", {
    args: Deno.args,
    options: {
      out: { type: "string", default: "datasets" },
      train: { type: "string" },
      test: { type: "string" },
      seed: { type: "string", default: "0" },
    },
  });
  const checksums = await writeDatasets(values.out, {
    train: values.train === undefined ? undefined : Number(values.train),
    test: values.test === undefined ? undefined : Number(values.test),
    seed: Number(values.seed),
  });
  for (const [file, sum] of Object.entries(checksums)) console.log(`${sum}  ${join(values.out, file)}`);
}
