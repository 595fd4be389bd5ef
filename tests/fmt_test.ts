import { assertEquals } from "./assert.ts";
import { formatNotebook, formatNotebooks } from "../kernel/fmt.ts";
import { join } from "node:path";

const notebook = (code: string) =>
  JSON.stringify(
    {
      cells: [{ cell_type: "code", id: "a1", metadata: {}, execution_count: null, outputs: [], source: [code] }],
      metadata: { language_info: { name: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  ) + "\n";

Deno.test("formatNotebook formats code cells like deno fmt and is idempotent", async () => {
  const formatted = await formatNotebook(notebook("const  x={a:1}"));
  assertEquals(JSON.parse(formatted).cells[0].source.join(""), "const x = { a: 1 };");
  assertEquals(await formatNotebook(formatted), formatted);
});

Deno.test("formatNotebooks reports unformatted notebooks and fixes them only when asked", async () => {
  const dir = await Deno.makeTempDir();
  const messy = join(dir, "messy.ipynb");
  const tidy = join(dir, "tidy.ipynb");
  await Deno.writeTextFile(messy, notebook("let  y=2"));
  await Deno.writeTextFile(tidy, await formatNotebook(notebook("let y = 2;")));
  assertEquals(await formatNotebooks([messy, tidy], false), [messy]);
  assertEquals(await Deno.readTextFile(messy), notebook("let  y=2"));
  assertEquals(await formatNotebooks([messy, tidy], true), [messy]);
  assertEquals(await formatNotebooks([messy, tidy], false), []);
  await Deno.remove(dir, { recursive: true });
});
