/**
 * Markdown from a schema, for the settings reference (`docs/settings.md`, which `lib/ablation/settings_doc.ts`
 * assembles): a table per section (key by its full dotted path, type, allowed values, default, `doc`), laid out as
 * `deno fmt` leaves markdown, and the keys that have no `doc`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { field, section } from "./validate.ts";
 * import { schemaTable, undocumented } from "./reference.ts";
 * const schema = section({ lr: field("number", 1e-4, { min: 0, doc: "step size" }), steps: field("integer", 100) });
 * assert.deepEqual(undocumented(schema), ["steps"]);
 * assert.match(schemaTable(schema, "optim"), /\| `optim.lr` +\| number +\| ≥ 0 +\| `0.0001` \| step size +\|/);
 * ```
 *
 * @module
 */
import type { FieldSpec, SectionSpec, Spec } from "./validate.ts";

/** The dotted paths of the fields (and sections) of `spec` that have no `doc`. */
export function undocumented(spec: SectionSpec, prefix = ""): string[] {
  const missing: string[] = [];
  for (const [key, node] of Object.entries(spec.fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (node.kind === "section") {
      if (!node.doc) missing.push(path);
      missing.push(...undocumented(node, path));
    } else if (!node.doc) missing.push(path);
  }
  return missing;
}

/** A table cell: pipes escaped, one line. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/**
 * Prose wrapped at `width` columns as `deno fmt` wraps markdown (words greedily, a code span never split), each line
 * after the first indented by `indent` spaces.
 */
export function wrap(text: string, width = 120, indent = 0): string {
  const words = text.match(/(?:`[^`]*`|[^\s`])+/g) ?? [];
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    const room = width - (lines.length > 0 ? indent : 0);
    if (line && [...line].length + 1 + [...word].length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

function typeOf(spec: FieldSpec): string {
  const type = spec.format === "tiers" ? "tiers" : spec.type;
  return spec.nullable ? `${type} or null` : type;
}

function allowedOf(spec: FieldSpec): string {
  if (spec.choices) return spec.choices.map((c) => `\`${c}\``).join(", ");
  if (spec.type === "boolean") return "`true`, `false`";
  if (spec.format === "tiers") {
    return `${spec.max !== undefined ? `tiers 1–${spec.max}` : "whole numbers ≥ 1"}, comma-separated (\`""\`: none)`;
  }
  if (spec.min !== undefined && spec.max !== undefined) return `[${spec.min}, ${spec.max}]`;
  if (spec.min !== undefined) return `≥ ${spec.min}`;
  if (spec.max !== undefined) return `≤ ${spec.max}`;
  return spec.type === "string" ? "any text" : "any";
}

function defaultOf(spec: FieldSpec): string {
  const value = spec.default;
  if (value === null) return "`null`";
  if (typeof value === "string") return spec.format === "tiers" || value === "" ? `\`"${value}"\`` : `\`${value}\``;
  return `\`${String(value)}\``;
}

/** A markdown table with its columns padded to one width, as `deno fmt` lays tables out. */
export function markdownTable(header: string[], rows: string[][]): string {
  const width = (text: string) => [...text].length;
  const widths = header.map((h, i) => Math.max(3, width(h), ...rows.map((r) => width(r[i]))));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c + " ".repeat(widths[i] - width(c))).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The table of the fields directly under `spec`, keyed by their full dotted path. */
export function schemaTable(spec: SectionSpec, prefix = ""): string {
  const rows = Object.entries(spec.fields).filter((entry): entry is [string, FieldSpec] => entry[1].kind === "field")
    .map(([key, node]) =>
      [
        `\`${prefix ? `${prefix}.${key}` : key}\``,
        typeOf(node),
        allowedOf(node),
        defaultOf(node),
        node.doc ?? "",
      ].map(cell)
    );
  return markdownTable(["Key", "Type", "Allowed", "Default", "What it does"], rows);
}

/** A section's fields as a table, then each subsection under its own heading with its doc. */
export function sectionBlocks(spec: SectionSpec, prefix: string, depth: number): string[] {
  const out: string[] = [];
  if (Object.values(spec.fields).some((node) => node.kind === "field")) out.push(schemaTable(spec, prefix));
  for (const [key, node] of Object.entries(spec.fields) as [string, Spec][]) {
    if (node.kind !== "section") continue;
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(`${"#".repeat(depth)} \`${path}\``);
    if (node.doc) out.push(wrap(node.doc));
    out.push(...sectionBlocks(node, path, depth + 1));
  }
  return out;
}
