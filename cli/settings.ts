/**
 * `deno task settings`: regenerate `docs/settings.md`, the settings reference, from the schemas
 * (`lib/ablation/settings_doc.ts`).
 *
 * @module
 */
import { SETTINGS_FILE, settingsReference } from "../lib/ablation/settings_doc.ts";

if (import.meta.main) {
  await Deno.writeTextFile(SETTINGS_FILE, settingsReference());
  console.log(`wrote ${SETTINGS_FILE}`);
}
