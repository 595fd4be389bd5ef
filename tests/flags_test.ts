import { assertEquals } from "./assert.ts";
import { flagError } from "../lib/flags.ts";

Deno.test("flag errors read as one line a user can act on", () => {
  assertEquals(
    flagError(new Error("Unknown option '--wokers'. To specify a positional argument …")),
    "unknown flag --wokers",
  );
  assertEquals(
    flagError(new Error("Option '--workers' argument is ambiguous.\nDid you forget to specify the option argument?")),
    `--workers needs a value (one starting with "-" is written --workers=-1)`,
  );
  assertEquals(flagError(new Error("Option '--out <value>' argument missing")), "--out needs a value");
});

Deno.test("every CLI answers a bad flag with one line, its usage and exit 2 (no stack trace)", async () => {
  for (
    const [task, flag] of [["verify", "--job"], ["ablation", "--wokers"], ["figures", "--format"], ["data", "--tran"]]
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", task, flag, "2"],
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n");
    assertEquals([out.code, stderr[0], stderr[1].startsWith(`usage: deno task ${task}`)], [
      2,
      `${task}: unknown flag ${flag}`,
      true,
    ]);
    assertEquals(stderr.some((l) => /^\s+at /.test(l)), false);
  }
  const out = await new Deno.Command(Deno.execPath(), { args: ["task", "-q", "ablation", "--out", "deno.json"] })
    .output();
  assertEquals(out.code, 2);
});
