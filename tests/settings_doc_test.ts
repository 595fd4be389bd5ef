import { assert, assertEquals } from "./assert.ts";
import { field, section, type SectionSpec } from "../lib/config/validate.ts";
import { RUN_SCHEMA } from "../lib/config/schema.ts";
import { CALIBRATION_SCHEMA, MAIN_GRID, parseGrid, SUMMARY_SCHEMA } from "../lib/ablation/grid.ts";
import { shippedBase } from "../lib/ablation/shipped.ts";
import { markdownTable, undocumented, wrap } from "../lib/config/reference.ts";
import { SETTINGS_FILE, settingsReference } from "../lib/ablation/settings_doc.ts";

/** Every field's dotted path under `spec`. */
function paths(spec: SectionSpec, prefix = ""): string[] {
  return Object.entries(spec.fields).flatMap(([key, node]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return node.kind === "section" ? paths(node, path) : [path];
  });
}

Deno.test("docs/settings.md is the generator's output (after a schema change, run `deno task settings`)", async () => {
  const saved = await Deno.readTextFile(SETTINGS_FILE);
  const generated = settingsReference();
  if (saved !== generated) {
    const savedLines = saved.split("\n");
    const line = generated.split("\n").findIndex((l, i) => l !== savedLines[i]);
    throw new Error(
      `docs/settings.md is out of date with the schemas (first difference at line ${line + 1}): ` +
        "run `deno task settings` and commit the result",
    );
  }
});

Deno.test("every key of the run, summary and calibration schemas has a doc", () => {
  assertEquals(undocumented(RUN_SCHEMA), []);
  assertEquals(undocumented(SUMMARY_SCHEMA), []);
  assertEquals(undocumented(CALIBRATION_SCHEMA), []);
});

Deno.test("undocumented names a field or section without a doc by its dotted path", () => {
  const spec = section({
    a: field("integer", 1, { doc: "documented" }),
    b: field("boolean", false),
    inner: section({ c: field("number", 0) }),
  });
  assertEquals(undocumented(spec), ["b", "inner", "inner.c"]);
});

Deno.test("the reference lists every key by its full path, with its default", () => {
  const page = settingsReference();
  const expected = [
    ...paths(RUN_SCHEMA),
    ...paths(SUMMARY_SCHEMA, "summary"),
    ...paths(CALIBRATION_SCHEMA, "calibration"),
  ];
  for (const path of expected) assert(page.includes(`| \`${path}\` `), `no row for ${path}`);
  assert(/\| `guide\.threshold` +\| number +\| any +\| `0\.001` +\| a plain group/.test(page));
  assert(/\| `data\.tiers` +\| tiers +\| tiers 1–5[^|]*\| `"1,2,3,4,5"` +\|/.test(page));
  assert(/\| `summary\.target` +\| number or null +\| \[0, 1\] +\| `null` +\|/.test(page));
  assert(/\| `loss\.aggregation` +\| string +\| `grpo`, `bnpo`, `dr_grpo`, `dr_grpo_verl`, `dapo` +\|/.test(page));
});

Deno.test("tables are padded and prose wrapped as deno fmt leaves them; pipes in a cell are escaped", () => {
  assertEquals(markdownTable(["Key", "Doc"], [["`a`", "x ≥ 1"]]), "| Key | Doc   |\n| --- | ----- |\n| `a` | x ≥ 1 |");
  assertEquals(wrap("one two `three four` five", 14), "one two\n`three four`\nfive");
  assertEquals(wrap("1. one two three", 10, 3), "1. one two\n   three");
  const page = settingsReference();
  assert(page.includes("`value` gives"), "hint styles documented");
  assert(!/[^\\]\|k=v/.test(page), "an unescaped pipe inside a cell");
});

Deno.test("first-experiment.md's dry-run is what the kit prints for main.yaml with its added variant", async () => {
  const page = await Deno.readTextFile(new URL("../docs/first-experiment.md", import.meta.url));
  const added = page.match(/^ {2}guide-plain-unit-kl: .*$/m)?.[0];
  assert(added, "the page adds a variant guide-plain-unit-kl");
  const main = await Deno.readTextFile(MAIN_GRID);
  const last = main.match(/^ {2}guide-plain-unit: .*$/m)![0];
  const grid = await parseGrid(main.replace(last, `${last}\n${added}`), "my-grid.yaml");
  const runs = page.match(/^my-grid\.yaml: (\d+) runs into /m);
  assertEquals(Number(runs?.[1]), grid.runs.length);
  assert(page.includes(`base ${grid.sft!.id} (shipped: bases/${grid.sft!.id})`), "the base line");
  assert(await shippedBase(grid.sft!.id), `bases/${grid.sft!.id} is shipped`);
  const quoted = [...page.matchAll(/^(\S+-s\d+-[0-9a-f]{10}) +new +variant=(\S+) seed=(\d+)$/gm)];
  assert(quoted.length >= 5, "the page quotes run lines");
  for (const [, id, variant, seed] of quoted) {
    const run = grid.runs.find((r) => r.id === id);
    assert(run, `no run ${id} in the grid`);
    assertEquals(run.axes, { variant, seed: Number(seed) });
  }
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  assert(readme.split("\n").slice(0, 5).join(" ").includes("(docs/first-experiment.md)"), "README's top links it");
  assert(page.includes("(settings.md)"), "it links the settings reference");
});
