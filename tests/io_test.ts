import { assert, assertEquals, assertRejects } from "./assert.ts";
import { writeTextFileAtomic } from "../lib/mod.ts";
import { join } from "node:path";

Deno.test("writeTextFileAtomic writes, replaces, creates folders and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "nested", "out.txt");
  await writeTextFileAtomic(path, "first");
  await writeTextFileAtomic(path, "second");
  assertEquals(await Deno.readTextFile(path), "second");
  assertEquals([...Deno.readDirSync(join(dir, "nested"))].map((e) => e.name), ["out.txt"]);
  assertEquals((await Deno.stat(path)).mode! & 0o777, 0o644);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeTextFileAtomic that fails keeps what was there and cleans its temp file", async () => {
  const dir = await Deno.makeTempDir();
  // A non-empty directory in the target's place makes the rename fail after the temp file is written.
  const target = join(dir, "result");
  await Deno.mkdir(target);
  await Deno.writeTextFile(join(target, "keep.txt"), "precious");
  await assertRejects(() => writeTextFileAtomic(target, "new"));
  assertEquals(await Deno.readTextFile(join(target, "keep.txt")), "precious");
  const left = [...Deno.readDirSync(dir)].map((e) => e.name);
  assertEquals(left, ["result"]);
  assert(!left.some((name) => name.startsWith(".tmp-")));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readJsonLines: a torn last line (a crash mid-append) is dropped; a bad line before it is an error", async () => {
  const { readJsonLines, exists } = await import("../lib/io.ts");
  const dir = await Deno.makeTempDir();
  const file = `${dir}/log.jsonl`;
  assertEquals(await readJsonLines(file), []);
  assertEquals(await exists(file), false);
  await Deno.writeTextFile(file, '{"step":1}\n{"step":2}\n{"step":3,"gro');
  assertEquals(await readJsonLines(file), [{ step: 1 }, { step: 2 }]);
  await Deno.writeTextFile(file, '{"step":1}\n{"st\n{"step":3}\n');
  await assertRejects(() => readJsonLines(file), Error, `${file}:2: not valid JSON`);
  assertEquals(await exists(file), true);
  await Deno.remove(dir, { recursive: true });
});
