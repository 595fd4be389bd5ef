import { assert, assertEquals } from "./assert.ts";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PINNED_DENO } from "../kernel/install.ts";
import { mainTable, markdown, tableAfter } from "./readme_table.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const README = join(ROOT, "README.md");

/** The lines of the markdown section under `heading` (up to the next heading of the same level or above). */
function section(text: string, heading: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf(heading);
  assert(start >= 0, `no section "${heading}"`);
  const level = heading.match(/^#+/)![0].length;
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.match(/^#+/)![0].length <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The body of the first fenced code block of `lang` in `lines`. */
function codeBlock(lines: string[], lang: string): string[] {
  const open = lines.indexOf("```" + lang);
  assert(open >= 0, `no \`\`\`${lang} block`);
  const close = lines.findIndex((l, i) => i > open && l === "```");
  return lines.slice(open + 1, close);
}

/** Every markdown page the README and docs/ are made of. */
async function pages(): Promise<string[]> {
  const docs: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, "docs"))) {
    if (entry.isFile && entry.name.endsWith(".md")) docs.push(join(ROOT, "docs", entry.name));
  }
  return [README, ...docs.sort()];
}

Deno.test("the README is a front door: at most 250 lines", async () => {
  const lines = (await Deno.readTextFile(README)).trimEnd().split("\n").length;
  assert(lines <= 250, `README.md has ${lines} lines`);
});

Deno.test("the README's set-up commands are the main job and the tests, on the pinned Deno", async () => {
  const block = codeBlock(section(await Deno.readTextFile(README), "## Set-up commands"), "sh");
  const commands = block.map((line) => line.replace(/#.*$/, "").trim());
  assertEquals(commands, [`npx -y deno@${PINNED_DENO} task ablation`, `npx -y deno@${PINNED_DENO} task test`]);
  const ci = await Deno.readTextFile(join(ROOT, ".ci", "run"));
  assert(ci.includes(`\n${commands[1]}\n`), ".ci/run runs the README's test command");
});

Deno.test("the README's main table is results/published/main/summary.md's cells (run tests/readme_table.ts)", async () => {
  const summary = await Deno.readTextFile(join(ROOT, "results", "published", "main", "summary.md"));
  const shown = tableAfter(await Deno.readTextFile(README), "## What the main job shows");
  const expected = mainTable(summary, shown[0]);
  assertEquals(
    shown,
    expected,
    `the README's table differs from the summary's; it should be (deno fmt pads it):\n${markdown(expected)}`,
  );
  assert(shown.length > 2 && shown[0].length > 4, "a table with rows and columns");
});

Deno.test("every relative link of the README and docs/ names a file in the kit, and every docs page is linked from the README", async () => {
  const readme = await Deno.readTextFile(README);
  const broken: string[] = [];
  for (const page of await pages()) {
    const text = await Deno.readTextFile(page);
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const path = resolve(dirname(page), decodeURI(target.replace(/#.*$/, "")));
      const inside = !relative(ROOT, path).startsWith("..");
      const found = inside && await Deno.stat(path).then(() => true, () => false);
      if (!found) broken.push(`${relative(ROOT, page)}: ${target}`);
    }
    if (page !== README) {
      const link = `](${relative(ROOT, page)})`;
      assert(readme.includes(link), `README.md does not link ${relative(ROOT, page)}`);
    }
  }
  assertEquals(broken, []);
});

Deno.test("the README's tour runs as it stands, importing only lib/mod.ts", async () => {
  const code = codeBlock(section(await Deno.readTextFile(README), "## A tour of the API"), "ts").join("\n");
  const imports = [...code.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
  assertEquals(imports, ["./lib/mod.ts"]);
  const dir = await Deno.makeTempDir({ prefix: "guide-tour-" });
  try {
    const script = join(dir, "tour.ts");
    await Deno.writeTextFile(
      script,
      code.replace('"./lib/mod.ts"', JSON.stringify(new URL("../lib/mod.ts", import.meta.url).href)),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", join(ROOT, "deno.json"), script],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert(out.success, `the tour failed:\n${new TextDecoder().decode(out.stderr)}`);
    const lines = stdout.trim().split("\n");
    assertEquals(lines.length, 2, stdout);
    assert(/ plain: \d+\/16 correct, pass@1 [\d.]+, pass@4 [\d.]+$/.test(lines[0]), lines[0]);
    assert(/ hinted: \d+\/16 correct, pass@1 [\d.]+, pass@4 [\d.]+$/.test(lines[1]), lines[1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the TypeScript blocks of the README and docs/ type-check (deno check --doc-only)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--doc-only", ...(await pages()).map((page) => relative(ROOT, page))],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
});
