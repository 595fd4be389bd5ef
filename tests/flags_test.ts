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
  // The nearest flag the CLI has, as YAML keys get; none when nothing is near.
  const flags = ["out", "workers", "dry-run", "formats"];
  assertEquals(
    flagError(new Error("Unknown option '--worker'. …"), flags),
    "unknown flag --worker (did you mean --workers?)",
  );
  assertEquals(
    flagError(new Error("Unknown option '--dryrun'. …"), flags),
    "unknown flag --dryrun (did you mean --dry-run?)",
  );
  assertEquals(flagError(new Error("Unknown option '--banana'. …"), flags), "unknown flag --banana");
});

Deno.test("every CLI answers a bad flag with one line, its usage and exit 2 (no stack trace)", async () => {
  for (
    const [task, flag, near] of [
      ["verify", "--job", "--jobs"],
      ["ablation", "--wokers", "--workers"],
      ["figures", "--format", "--formats"],
      ["data", "--tran", "--train"],
    ]
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", task, flag, "2"],
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n");
    assertEquals([out.code, stderr[0], stderr[1].startsWith(`usage: deno task ${task}`)], [
      2,
      `${task}: unknown flag ${flag} (did you mean ${near}?)`,
      true,
    ]);
    assertEquals(stderr.some((l) => /^\s+at /.test(l)), false);
  }
  const out = await new Deno.Command(Deno.execPath(), { args: ["task", "-q", "ablation", "--out", "deno.json"] })
    .output();
  assertEquals(out.code, 2);
});
