/**
 * The README's main table is not typed by hand: each cell is the cell of `results/published/main/summary.md` that its
 * column names, so the two cannot disagree. A column `tier N pass@K` is the `pass@K` column of the summary's "Tier N"
 * table; any other column is the column of the same name in its "Overall score" table. Rows are the summary's variants,
 * in its order. `deno run tests/readme_table.ts` prints the table the README must hold.
 *
 * @module
 */

/** The cells of a markdown table's rows (the header first, the separator left out). */
export function tableRows(lines: string[]): string[][] {
  return lines
    .filter((line) => line.startsWith("|") && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) => line.slice(1, line.lastIndexOf("|")).split("|").map((cell) => cell.trim()));
}

/** The first table after the heading line that starts with `heading`, as rows of cells. */
export function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.startsWith(heading));
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const first = lines.findIndex((line, i) => i > start && line.startsWith("|"));
  if (first < 0) throw new Error(`no table after "${heading}"`);
  const end = lines.findIndex((line, i) => i > first && !line.startsWith("|"));
  return tableRows(lines.slice(first, end < 0 ? undefined : end));
}

/** The README's main table's columns. */
export const MAIN_COLUMNS = [
  "variant",
  "seeds",
  "all pass@1",
  "all pass@16",
  "tier 2 pass@1",
  "tier 3 pass@16",
  "tier 4 pass@16",
  "net problems (gained − lost)",
];

/** The rows (header first) that `columns` take from a summary. */
export function mainTable(summary: string, columns: string[] = MAIN_COLUMNS): string[][] {
  const overall = tableAfter(summary, "## Overall score");
  const source = (column: string): { rows: string[][]; index: number } => {
    const tier = column.match(/^tier (\d+) (pass@\d+)$/);
    const rows = tier ? tableAfter(summary, `## Tier ${tier[1]} `) : overall;
    const index = rows[0].indexOf(tier ? tier[2] : column);
    if (index < 0) throw new Error(`the summary has no column for "${column}"`);
    return { rows, index };
  };
  const sources = columns.map(source);
  const variants = overall.slice(1).map((row) => row[0]);
  return [
    columns,
    ...variants.map((variant) =>
      sources.map(({ rows, index }) => {
        const row = rows.find((r) => r[0] === variant);
        if (!row) throw new Error(`a summary table has no row for ${variant}`);
        return row[index];
      })
    ),
  ];
}

/** Rows as a markdown table (`deno fmt` pads it). */
export function markdown(rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(rows[0]), line(rows[0].map(() => "---")), ...rows.slice(1).map(line)].join("\n");
}

if (import.meta.main) {
  const summary = await Deno.readTextFile(new URL("../results/published/main/summary.md", import.meta.url));
  console.log(markdown(mainTable(summary)));
}
