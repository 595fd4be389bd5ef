import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { describeFailure, runNotebooks } from "../kernel/notebooks.ts";
import { descendants, running, type Started } from "./processes.ts";
import { join } from "node:path";

const fixtures = "tests/fixtures";

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  text?: string | string[];
}

Deno.test("describeFailure names the cell nbconvert reports and its error", () => {
  const cells = [
    { cell_type: "markdown", source: "# title" },
    { cell_type: "code", source: ["const a = 1;\n", "a"] },
    { cell_type: "code", source: 'throw new Error("bad");' },
  ];
  const stderr = "Traceback (most recent call last):\n  File x\nnbclient.exceptions.CellExecutionError: " +
    'An error occurred while executing the following cell:\n------------------\nthrow new Error("bad");\n' +
    "------------------\n\n\nError: bad\n    at <anonymous>:1:7\n";
  assertEquals(describeFailure(stderr, cells), 'code cell 2 of 2 (throw new Error("bad");) failed: Error: bad');
});

Deno.test({
  name: "a notebook that throws fails, naming the cell and the error",
  sanitizeResources: false,
  fn: async () => {
    const [result] = await runNotebooks([join(fixtures, "throws.ipynb")], { timeoutS: 120 });
    assertEquals(result.ok, false);
    assertEquals(result.notebook, "tests/fixtures/throws.ipynb");
    assertStringIncludes(result.error!, "code cell 3 of 4");
    assertStringIncludes(result.error!, "boom at 42");
  },
});

Deno.test("deno task notebooks exits non-zero and prints the notebook and cell", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "notebooks", "--timeout", "120", join(fixtures, "throws.ipynb")],
    env: { NO_COLOR: "1" },
  }).output();
  assertEquals(out.code, 1);
  const stdout = new TextDecoder().decode(out.stdout);
  assertStringIncludes(stdout, "notebook tests/fixtures/throws.ipynb ... FAILED");
  assertStringIncludes(stdout, "code cell 3 of 4 (throw new Error(`boom at ${answer}`);) failed: Error: boom at 42");
  assertStringIncludes(stdout, "0 passed, 1 failed");
});

Deno.test("a notebook past its timeout is stopped and no kernel is left running", async () => {
  // Only the kernels this test starts count (not a researcher's own Jupyter, nor another checkout's tests): those
  // below this process, noted while the notebook runs (a kernel whose nbconvert died would be below it no more).
  const isKernel = (cmdline: string) => cmdline.includes("jupyter") && cmdline.includes("--kernel");
  const kernels = new Map<string, Started>();
  const note = () => descendants(Deno.pid, isKernel).forEach((k) => kernels.set(`${k.pid} ${k.start}`, k));
  const watch = setInterval(note, 100);
  const started = performance.now();
  let result;
  try {
    [result] = await runNotebooks([join(fixtures, "hangs.ipynb")], { timeoutS: 8 });
  } finally {
    clearInterval(watch);
  }
  const seconds = (performance.now() - started) / 1000;
  assertEquals(result.ok, false);
  assertStringIncludes(result.error!, "timed out after 8 s");
  assert(seconds < 30, `took ${seconds} s`);
  // The kernel of that notebook ran a busy loop; it must be gone with nbconvert.
  assert(kernels.size > 0, "no kernel of this test was seen running");
  await new Promise((resolve) => setTimeout(resolve, 500));
  const left = [...kernels.values()].filter(running).map((k) => k.pid);
  assertEquals(left, [], `kernels this test started still running: ${left.join(", ")}`);
});

Deno.test("display helpers render in Jupyter: Plotly bundle, HTML fallback, one progress display updated in place", async () => {
  const keep = await Deno.makeTempDir();
  const [result] = await runNotebooks([join(fixtures, "displays.ipynb")], { timeoutS: 120, keep });
  assert(result.ok, result.error);
  const executed = JSON.parse(await Deno.readTextFile(result.executed!));
  const code = executed.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
  const figureOutputs: Output[] = code[0].outputs;
  assertEquals(figureOutputs.length, 1);
  const figure = figureOutputs[0].data!;
  assertEquals(figure["application/vnd.plotly.v1+json"], {
    data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }],
    layout: { title: { text: "fixture" } },
    config: {},
  });
  assertStringIncludes([figure["text/html"]].flat().join(""), "Plotly.newPlot");
  // Six progress updates (start, five ticks, done) end as one output showing the final state.
  const progressOutputs: Output[] = code[1].outputs;
  assertEquals(progressOutputs.length, 1);
  const text = [progressOutputs[0].data!["text/plain"]].flat().join("");
  assertStringIncludes(text, "fixture [########################] 5/5 100%");
  assertStringIncludes(text, "finished");
  await Deno.remove(keep, { recursive: true });
});

Deno.test("the notebooks: guide-deno kernel, only lib/mod.ts imported, a markdown cell before each code cell, no outputs", async () => {
  const dir = new URL("../notebooks/", import.meta.url);
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".ipynb")).sort();
  assertEquals(names, [
    "00_smoke.ipynb",
    "01_quickstart.ipynb",
    "02_one_guide_step.ipynb",
    "03_learning_efficiency.ipynb",
    "04_passk_analysis.ipynb",
    "05_ablations.ipynb",
    "06_paper_figures.ipynb",
    "07_hint_guided_family.ipynb",
  ]);
  for (const name of names) {
    const notebook = JSON.parse(await Deno.readTextFile(new URL(name, dir)));
    assertEquals(notebook.metadata.kernelspec.name, "guide-deno", name);
    const cells = notebook.cells as { cell_type: string; source: string[]; outputs?: unknown[] }[];
    assertEquals(cells[0].cell_type, "markdown", `${name} starts with its title and purpose`);
    cells.forEach((cell, i) => {
      const source = cell.source.join("");
      if (cell.cell_type !== "code") return;
      assertEquals(cells[i - 1]?.cell_type, "markdown", `${name}: code cell ${i} has a markdown cell before it`);
      assertEquals(cell.outputs ?? [], [], `${name}: code cell ${i} is committed without outputs`);
      for (const match of source.matchAll(/from\s+"([^"]+)"/g)) {
        assertEquals(match[1], "../lib/mod.ts", `${name}: code cell ${i} imports only the public API`);
      }
    });
  }
});
