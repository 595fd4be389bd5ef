// The domain registry (`lib/data/domains.ts`): every domain complete, every reader of domains reading it, and no
// domain list or domain switch anywhere else in `lib/`.
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DATASET_DOMAINS,
  DATASET_VERIFIERS,
  DOMAIN_SPECS,
  domainSpec,
  heldOutFacts,
  verifierDomain,
} from "../lib/data/domains.ts";
import { HINT_STYLES, TIERS } from "../lib/data/spec.ts";
import { RUN_SCHEMA } from "../lib/config/schema.ts";
import { DOMAINS, verifierOf } from "../lib/verifiers/mod.ts";
import { Rng } from "../lib/random.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("every registered domain is complete: verifier, sizes and card per tier, and its generator draws its tiers", () => {
  assertEquals(new Set(DATASET_DOMAINS).size, DATASET_DOMAINS.length);
  for (const spec of DOMAIN_SPECS) {
    assert((DOMAINS as readonly string[]).includes(spec.verifier), `${spec.name}: verifier ${spec.verifier}`);
    for (const split of ["train", "validation", "test"] as const) assertEquals(spec.sizes[split].length, TIERS);
    assertEquals(spec.card.tiers.length, TIERS, spec.name);
    assertEquals(Object.keys(spec.card.hints).sort(), [...HINT_STYLES].sort(), spec.name);
    assert(spec.card.examples.every((t) => t >= 1 && t <= TIERS), spec.name);
    assertEquals(spec.heldOutFacts === undefined, spec.card.heldOut === undefined, `${spec.name}: held-out words`);
    const rng = new Rng(1);
    for (let tier = 1; tier <= TIERS; tier++) {
      let p = spec.generate(rng, tier);
      while (!p) p = spec.generate(rng, tier);
      assertEquals([p.domain, p.tier], [spec.name, tier]);
      assertEquals(typeof spec.canonicalKey(p), "string");
    }
  }
});

Deno.test("the registry answers for every reader: seed order, verifiers, config choices, held-out facts", () => {
  // A domain's seed is its place: the order of the datasets' generation (new domains go last).
  assertEquals(DATASET_DOMAINS, ["math", "science", "code", "arith", "physics", "powers", "programs"]);
  assertEquals(DATASET_VERIFIERS, {
    math: "math",
    science: "choice",
    code: "code",
    arith: "chain",
    physics: "chain",
    powers: "chain",
    programs: "program",
  });
  assertEquals(verifierDomain("physics"), "chain");
  assertEquals(RUN_SCHEMA.fields.data.fields.domain.choices, DATASET_DOMAINS);
  assertEquals(verifierOf("powers", DATASET_VERIFIERS), { domain: "chain" });
  // The verifiers' layer knows no dataset unless told.
  assert(verifierOf("powers").error?.startsWith('unknown domain "powers"'));
  assertEquals(heldOutFacts("math"), []);
  assertThrows(() => domainSpec("phisics"), Error, 'unknown domain "phisics" (did you mean "physics"?');
});

/** The TypeScript files under `dir`. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await files(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

Deno.test("no domain list or domain switch outside the registry and the domains' own files", async () => {
  // A domain's own file names itself; the registry lists them. Anywhere else in lib/, two domain names as string
  // literals within a few lines of each other are a list or a switch that the next domain would have to extend.
  const own = new Set(["lib/data/domains.ts", ...DOMAIN_SPECS.map((d) => `lib/data/${d.name}.ts`)]);
  // A name as a string literal (`"arith"`, `case "arith":`) or as an object key (`arith: alternativeOrder`).
  const names = DATASET_DOMAINS.join("|");
  const literal = new RegExp(`(["'\`])(${names})\\1|(?<![\\w.$])()(${names})\\s*:(?!:)`, "g");
  const found: string[] = [];
  for (const file of (await files(join(ROOT, "lib"))).map((f) => relative(ROOT, f)).sort()) {
    if (own.has(file)) continue;
    const lines = (await Deno.readTextFile(join(ROOT, file))).split("\n");
    lines.forEach((_, i) => {
      // Comments and doc examples may name domains; code may not list them.
      const code = lines.slice(i, i + 4).filter((l) => !/^\s*(\*|\/\/)/.test(l)).join("\n");
      const named = new Set([...code.matchAll(literal)].map((m) => m[2] ?? m[4]));
      // A verifier shares its name with two datasets (`math`, `code`): those alone are verifiers, not a domain list.
      for (const v of DOMAINS) named.delete(v);
      if (named.size >= 2) found.push(`${file}:${i + 1}: ${[...named].join(", ")}`);
    });
  }
  assertEquals([...new Set(found)], []);
});
