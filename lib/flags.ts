/**
 * Command-line flags for the kit's CLIs: `node:util`'s `parseArgs`, except that an unknown or malformed flag is one
 * line naming it, then the CLI's usage, and exit code 2 — never a stack trace or Node's hint about `--`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagError, parseFlags } from "./flags.ts";
 * const { values } = parseFlags("demo", "usage: demo [--k N]", { args: ["--k", "4"], options: { k: { type: "string" } } });
 * assert.equal(values.k, "4");
 * assert.equal(flagError(new Error("Unknown option '--kk'. To specify a positional argument …")), "unknown flag --kk");
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";

type Config = NonNullable<Parameters<typeof parseArgs>[0]>;

/** `parseArgs`'s message as one line a user can act on. */
export function flagError(error: Error): string {
  const message = error.message.split("\n")[0];
  const unknown = message.match(/^Unknown option '([^']+)'/);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const ambiguous = message.match(/^Option '(--[^ ']+)[^']*' argument is ambiguous/);
  if (ambiguous) return `${ambiguous[1]} needs a value (one starting with "-" is written ${ambiguous[1]}=-1)`;
  const missing = message.match(/^Option '(--[^ ']+)[^']*' argument missing/);
  if (missing) return `${missing[1]} needs a value`;
  return message.replace(/\. To specify a positional argument.*$/, "");
}

/** Parse `config.args`; on a bad flag print `name: <what is wrong>` and `usage` to stderr and exit 2. */
export function parseFlags<T extends Config>(name: string, usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    console.error(`${name}: ${flagError(e as Error)}\n${usage}`);
    Deno.exit(2);
  }
}
