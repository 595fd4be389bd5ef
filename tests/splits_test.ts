import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { join } from "node:path";
import { DATASET_DOMAINS, generateDomain, loadProblems, parseProblems, type Problem } from "../lib/mod.ts";
import { datasetDigest, readChecksums } from "../lib/data/load.ts";
import { canonicalExpression } from "../lib/data/splits.ts";
import { canonicalKey, heldOutFacts, hintFactForms } from "../lib/data/domains.ts";

// The real datasets (generation is deterministic and takes seconds: no need for small sizes).
const all = Object.fromEntries(DATASET_DOMAINS.map((d) => [d, generateDomain(d)])) as Record<
  string,
  Record<"train" | "validation" | "test", Problem[]>
>;

/** `a` and `b` differ (the keys of problems that are not commutative reorderings of each other). */
const assertNotEquals = (a: string, b: string) => assert(a !== b, `expected a difference, both are ${a}`);

/** A problem with just what a key reads. */
const problem = (domain: Problem["domain"], prompt: string, solution = "") => ({ domain, prompt, solution });
const key = (domain: Problem["domain"], prompt: string, solution = "") =>
  canonicalKey(problem(domain, prompt, solution));

/** Whether `form` occurs in `text` with no letter, digit or `_` touching it (written apart from splits.ts's scan). */
const occursIn = (text: string, form: string) =>
  new RegExp(`(?<![0-9A-Za-z_])${form.replace(/[+*^()?.\\[\]$|-]/g, "\\$&")}(?![0-9A-Za-z_])`).test(text);

Deno.test("canonical keys: equal under commutative order, different otherwise, per domain", () => {
  // arith: the brief's triple, and the non-commutative operations.
  assertEquals(key("arith", "17+5*8"), key("arith", "17+8*5"));
  assertEquals(key("arith", "8*5+17"), key("arith", "17+8*5"));
  assertEquals(key("arith", "30-7*2+4*9"), key("arith", "30-2*7+9*4"));
  assertNotEquals(key("arith", "9-4"), key("arith", "4-9"));
  assertNotEquals(key("arith", "17-8*5"), key("arith", "8*5-17"));
  assertNotEquals(key("arith", "20+3-4"), key("arith", "20-4+3")); // another first operation: not a commutation
  assertEquals(key("arith", "20+3-4"), key("arith", "3+20-4"));
  assertEquals(canonicalExpression("17+8*5"), "((5*8)+17)");
  // powers: `^` does not commute; associativity is another problem (another first operation).
  assertNotEquals(key("powers", "30+3^2"), key("powers", "30+2^3"));
  assertEquals(key("powers", "30-(5+3^2)"), key("powers", "30-(3^2+5)"));
  assertEquals(key("powers", "12+(5-3)"), key("powers", "(5-3)+12"));
  assertNotEquals(key("powers", "(12+5)+3"), key("powers", "12+(5+3)"));
  assertNotEquals(key("powers", "12-(5-3)"), key("powers", "12-(3-5)"));
  // programs: on the formula.
  assertEquals(key("programs", "f(x,y)=7+y-3*x"), key("programs", "f(x,y)=y+7-x*3"));
  assertEquals(key("programs", "f(x,y)=x*y+4"), key("programs", "f(x,y)=4+y*x"));
  assertNotEquals(key("programs", "f(x,y)=x-y"), key("programs", "f(x,y)=y-x"));
  // physics: the values of commutative symbols swapped; another formula or sign is another problem.
  assertEquals(key("physics", "v=u+a*t; a=6, t=7, u=23"), key("physics", "v=u+a*t; a=7, t=6, u=23"));
  assertEquals(key("physics", "F=F1+F2-F3; F1=10, F2=20, F3=5"), key("physics", "F=F1+F2-F3; F1=20, F2=10, F3=5"));
  assertNotEquals(key("physics", "v=u+a*t; a=6, t=7, u=23"), key("physics", "x=x0+v*t; t=7, v=6, x0=23"));
  assertNotEquals(key("physics", "v=u+a*t; a=6, t=7, u=23"), key("physics", "v=u-a*t; a=6, t=7, u=23"));
  assertNotEquals(key("physics", "F=F1-F2+F3; F1=10, F2=20, F3=5"), key("physics", "F=F1-F2+F3; F1=20, F2=10, F3=5"));
  // math: as arith, with its longer operands.
  assertEquals(key("math", "(512-23)*(17+4)"), key("math", "(4+17)*(512-23)"));
  assertNotEquals(key("math", "(512-23)*(17+4)"), key("math", "(23-512)*(17+4)"));
  // science: the options' order is the only freedom.
  const q = "A cart travels 60 m in 5 s. What is its average speed?";
  assertEquals(
    key("science", `${q} (A) 12 m/s (B) 300 m/s (C) 17 m/s (D) 55 m/s`),
    key("science", `${q} (A) 55 m/s (B) 17 m/s (C) 12 m/s (D) 300 m/s`),
  );
  assertNotEquals(
    key("science", `${q} (A) 12 m/s`),
    key("science", `${q.replace("60 m in 5", "60 m in 6")} (A) 12 m/s`),
  );
  // code: the function and its examples as a set.
  const body = "function f(x){return 3*x+2}";
  assertEquals(
    key("code", "f(1) = 5; f(4) = 14; f(0) = 2. Write f.", body),
    key("code", "f(0) = 2; f(1) = 5; f(4) = 14. Write f.", body),
  );
  assertNotEquals(
    key("code", "f(1) = 5; f(4) = 14; f(0) = 2. Write f.", body),
    key("code", "f(1) = 5; f(4) = 14; f(2) = 8. Write f.", body),
  );
  assertNotEquals(
    key("code", "f(1) = 5; f(4) = 14; f(0) = 2. Write f.", body),
    key("code", "f(1) = 5; f(4) = 14; f(0) = 2. Write f.", "function f(x){return x*x+4}"),
  );
});

Deno.test("no canonical key in two splits, and none twice in test or validation, in any domain (real data)", () => {
  for (const domain of DATASET_DOMAINS) {
    const keys = Object.fromEntries(
      (["train", "validation", "test"] as const).map((s) => [s, all[domain][s].map(canonicalKey)]),
    ) as Record<"train" | "validation" | "test", string[]>;
    for (const [a, b] of [["train", "validation"], ["train", "test"], ["validation", "test"]] as const) {
      const other = new Set(keys[b]);
      const shared = keys[a].filter((k) => other.has(k));
      assertEquals(shared.length, 0, `${domain}: ${a} and ${b} share ${shared.length} keys, e.g. ${shared[0]}`);
    }
    assertEquals(new Set(keys.test).size, keys.test.length, `${domain}: a key twice in test`);
    assertEquals(new Set(keys.validation).size, keys.validation.length, `${domain}: a key twice in validation`);
  }
});

Deno.test("held-out facts: in no training prompt, solution or hint, in either order, and they make a novel-hint subset", () => {
  const expected: Record<string, string[]> = {
    arith: ["2*3", "4*5", "6*9", "7*8"],
    physics: ["2*3", "4*5", "6*9", "7*8"],
    powers: ["3^3", "5^2"],
    programs: ["5*y", "8*x", "9*x"],
  };
  for (const domain of DATASET_DOMAINS) {
    assertEquals(heldOutFacts(domain).sort(), (expected[domain] ?? []).sort(), domain);
    const forms = heldOutFacts(domain).flatMap((f) => [f, f.replace(/^(\w+)\*(\w+)$/, "$2*$1")]);
    const texts = all[domain].train.flatMap((p) => [p.prompt, p.solution, ...Object.values(p.hints)]).join("\n");
    for (const form of forms) assert(!occursIn(texts, form), `${domain}: held-out ${form} is in training`);
    // Test and validation do use them: those problems are the novel-hint subset of tiers 3–5.
    for (const tier of domain in expected ? [3, 4, 5] : []) {
      const novel = all[domain].test.filter((p) => p.tier === tier && p.novelHint).length;
      assert(novel >= 15, `${domain} tier ${tier}: only ${novel} novel-hint test problems`);
    }
  }
  // The arith counts the card reports (test, tiers 3–5).
  const arithNovel = [3, 4, 5].map((t) => all.arith.test.filter((p) => p.tier === t && p.novelHint).length);
  assertEquals(arithNovel, [18, 25, 20]);
});

Deno.test("novelHint is true exactly when the hinted fact occurs in no training example or hint", () => {
  for (const domain of DATASET_DOMAINS) {
    const texts = all[domain].train.flatMap((p) => [p.prompt, p.solution, ...Object.values(p.hints)]).join("\n");
    const cache = new Map<string, boolean>();
    const seen = (form: string) => cache.get(form) ?? cache.set(form, occursIn(texts, form)).get(form)!;
    for (const p of [...all[domain].test, ...all[domain].validation]) {
      assertEquals(typeof p.novelHint, "boolean", p.id);
      assertEquals(p.novelHint, !hintFactForms(p).some(seen), `${p.id}: ${p.hints.value}`);
    }
    assert(all[domain].train.every((p) => p.novelHint === undefined), `${domain}: novelHint on a training problem`);
  }
  // A hand-checked case: an arith novel-hint problem's product, in either order, is in no training text.
  const p = all.arith.test.find((q) => q.tier === 3 && q.novelHint)!;
  const [b, c] = p.hints.value.split(" is ")[0].split("*");
  const train = all.arith.train.flatMap((q) => [q.prompt, q.solution, ...Object.values(q.hints)]);
  assert(train.every((t) => !occursIn(t, `${b}*${c}`) && !occursIn(t, `${c}*${b}`)), p.hints.value);
});

Deno.test("the validation split loads, is checksummed, and a tampered file is named", async () => {
  const sums = await readChecksums();
  for (const domain of DATASET_DOMAINS) assert(sums.has(`${domain}/validation.jsonl`), domain);
  const root = await Deno.makeTempDir();
  try {
    await Deno.copyFile("datasets/SHA256SUMS", join(root, "SHA256SUMS"));
    const validation = await loadProblems("arith", "validation", root);
    assertEquals(validation.length, 1_280);
    assertEquals(validation[0], all.arith.validation[0]);
    assertEquals(validation[0].id, "arith-validation-00000");
    const file = join(root, "arith", "validation.jsonl");
    await Deno.writeTextFile(file, (await Deno.readTextFile(file)).replace('"tier":1', '"tier":2'));
    await assertRejects(() => loadProblems("arith", "validation", root), Error, `${file}: SHA-256 does not match`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  // The schema takes the split and the flag, and names a bad one.
  const line = JSON.stringify(all.arith.validation[0]);
  assertEquals(parseProblems(line, "v.jsonl")[0].split, "validation");
  assertThrows(
    () => parseProblems(line.replace('"validation"', '"valid"'), "v.jsonl"),
    Error,
    'v.jsonl:1: key "split"',
  );
  assertThrows(
    () => parseProblems(line.replace(/"novelHint":(true|false)/, '"novelHint":"yes"'), "v.jsonl"),
    Error,
    'v.jsonl:1: key "novelHint"',
  );
});

Deno.test("run ids follow the validation split too: its checksum is in the dataset digest", async () => {
  const root = await Deno.makeTempDir();
  const write = (validation: string) =>
    Deno.writeTextFile(
      join(root, "SHA256SUMS"),
      `${"a".repeat(64)}  arith/train.jsonl\n${"b".repeat(64)}  arith/test.jsonl\n` +
        `${validation.repeat(64)}  arith/validation.jsonl\n`,
    );
  await write("c");
  const first = await datasetDigest("arith", root);
  await write("d");
  assertNotEquals(await datasetDigest("arith", root), first);
  await Deno.writeTextFile(join(root, "SHA256SUMS"), `${"a".repeat(64)}  arith/train.jsonl\n`);
  await assertRejects(() => datasetDigest("arith", root), Error, "no checksum for arith/test.jsonl");
  await Deno.remove(root, { recursive: true });
});
