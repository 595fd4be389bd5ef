/**
 * `deno task verify`: the verifiers' JSONL command (`lib/verifiers/cli.ts`), with the kit's datasets' names mapped to
 * their verifiers by the domain registry (`lib/data/domains.ts`), which the verifiers' layer cannot import.
 *
 * @module
 */
import { DATASET_VERIFIERS } from "../lib/data/domains.ts";
import { runVerify } from "../lib/verifiers/cli.ts";

if (import.meta.main) Deno.exit(await runVerify(Deno.args, DATASET_VERIFIERS));
