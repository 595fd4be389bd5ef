/**
 * Command-line flags for the kit's CLIs: `node:util`'s `parseArgs`, except that an unknown or malformed flag is one
 * line naming it (an unknown one with the nearest flag the CLI has, as YAML keys get), then the CLI's usage, and exit
 * code 2 — never a stack trace or Node's hint about `--`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagError, parseFlags } from "./flags.ts";
 * const { values } = parseFlags("demo", "usage: demo [--k N]", { args: ["--k", "4"], options: { k: { type: "string" } } });
 * assert.equal(values.k, "4");
 * assert.equal(flagError(new Error("Unknown option '--kk'. To specify a positional argument …")), "unknown flag --kk");
 * assert.equal(
 *   flagError(new Error("Unknown option '--worker'. …"), ["workers", "out"]),
 *   'unknown flag --worker (did you mean --workers?)',
 * );
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { closestKey } from "./nearest.ts";

type Config = NonNullable<Parameters<typeof parseArgs>[0]>;

/** `parseArgs`'s message as one line a user can act on; `flags`, the CLI's own, name the nearest to an unknown one. */
export function flagError(error: Error, flags: string[] = []): string {
  const message = error.message.split("\n")[0];
  const unknown = message.match(/^Unknown option '([^']+)'/);
  if (unknown) {
    const near = closestKey(unknown[1].replace(/^-+/, ""), flags);
    return `unknown flag ${unknown[1]}${near ? ` (did you mean --${near}?)` : ""}`;
  }
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
    console.error(`${name}: ${flagError(e as Error, Object.keys(config.options ?? {}))}\n${usage}`);
    Deno.exit(2);
  }
}
