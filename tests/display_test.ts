import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { figureBundle, formatDuration, inJupyter, progressLine } from "../lib/display.ts";

const figure = { data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }], layout: { title: { text: "counts" } } };

Deno.test("formatDuration writes m:ss and h:mm:ss", () => {
  assertEquals(formatDuration(0), "0:00");
  assertEquals(formatDuration(65), "1:05");
  assertEquals(formatDuration(3725), "1:02:05");
  assertEquals(formatDuration(NaN), "?");
});

Deno.test("progressLine shows bar, counts, percentage, elapsed time and ETA", () => {
  assertEquals(
    progressLine({ label: "rl", done: 5, total: 10, elapsedS: 10, info: "reward 0.4" }, 10),
    "rl [#####.....] 5/10  50% 0:10 eta 0:10  reward 0.4",
  );
  // Finished: a full bar and no ETA.
  assertEquals(progressLine({ done: 4, total: 4, elapsedS: 125 }, 4), "[####] 4/4 100% 2:05");
});

Deno.test("progress outside Jupyter and without a terminal writes one line per tenth", async () => {
  const script = `import { progress } from "./lib/display.ts";
    const bar = progress(100, { label: "job" });
    for (let i = 0; i < 100; i++) bar.tick();
    await bar.done("end");`;
  const out = await new Deno.Command(Deno.execPath(), { args: ["eval", script], env: { NO_COLOR: "1" } }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
  // 0%, 10%, …, 100% as ticks cross each tenth, then the final line.
  assertEquals(lines.length, 12);
  assertStringIncludes(lines[0], "job [........................] 0/100   0%");
  assertStringIncludes(lines[5], "50/100  50%");
  assertStringIncludes(lines[11], "100/100 100%");
  assertStringIncludes(lines[11], "end");
});

Deno.test("inJupyter is false in a test process", () => {
  assertEquals(inJupyter(), false);
});

Deno.test("figureBundle carries the Plotly JSON and an HTML fallback that inlines Plotly", async () => {
  const bundle = await figureBundle(figure, { fallback: "html" });
  assertEquals(bundle["application/vnd.plotly.v1+json"], { data: figure.data, layout: figure.layout, config: {} });
  assertEquals(bundle["text/plain"], "Plotly figure: counts (1 traces)");
  const html = bundle["text/html"] as string;
  assertStringIncludes(html, "Plotly.newPlot");
  assert(html.length > 1_000_000, "the HTML fallback must inline plotly.js to render offline");
  assertEquals(bundle["image/png"], undefined);
});

Deno.test({
  name: "figureBundle's PNG fallback is a real PNG of the requested size (at 1.5× pixels)",
  fn: async () => {
    const bundle = await figureBundle(figure, { fallback: "png", width: 300, height: 200 });
    const png = Uint8Array.from(atob(bundle["image/png"] as string), (c) => c.charCodeAt(0));
    assertEquals([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    const view = new DataView(png.buffer);
    assertEquals([view.getUint32(16), view.getUint32(20)], [450, 300]); // the CSS size at 1.5× pixels, for sharp text
    assertEquals(bundle["text/html"], undefined);
  },
  sanitizeOps: false,
  sanitizeResources: false,
});

Deno.test("figureBundle falls back to HTML when there is no Chromium", async () => {
  const saved = Deno.env.get("GUIDE_CHROMIUM");
  Deno.env.set("GUIDE_CHROMIUM", "none");
  try {
    const bundle = await figureBundle(figure);
    assertStringIncludes(bundle["text/html"] as string, "Plotly.newPlot");
    assertEquals(bundle["image/png"], undefined);
  } finally {
    if (saved === undefined) Deno.env.delete("GUIDE_CHROMIUM");
    else Deno.env.set("GUIDE_CHROMIUM", saved);
  }
});
