import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "./assert.ts";
import { exportFigures, figureHtml, findChromium } from "../lib/mod.ts";
import { decodeDataUrl, FigureRenderer, parseFormats, plotlyBundleName } from "../lib/plot/export.ts";
import { BUNDLED_FONT, FIGURE_FONT } from "../lib/plot/figure.ts";
import puppeteer from "puppeteer-core";
import { join } from "node:path";

const figure = {
  data: [{ type: "scatter", mode: "lines", x: [0, 10, 20], y: [0.1, 0.3, 0.45], name: "guide-grpo" }],
  layout: { title: { text: "pass@1 against step" }, xaxis: { title: { text: "step" } } },
};

function chromium(): string {
  const path = findChromium();
  if (!path) throw new Error("Chromium is required for this test: run `deno task setup`");
  return path;
}

/** Open `file` in a fresh headless Chromium and return what `inPage` computes there (nothing else supplied). */
async function inChromium<T>(file: string, inPage: () => T | Promise<T>): Promise<T> {
  const browser = await puppeteer.launch({
    executablePath: chromium(),
    args: ["--headless", "--no-sandbox"],
    pipe: true,
  });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${file}`, { waitUntil: "load" });
    return await page.evaluate(inPage);
  } finally {
    await browser.close();
  }
}

Deno.test("exportFigures writes html, svg, png and pdf for a batch", async () => {
  const dir = await Deno.makeTempDir();
  const items = [{ figure, path: join(dir, "a") }, { figure, path: join(dir, "sub", "b") }];
  const results = await exportFigures(items, { chromium: chromium(), width: 500, height: 300 });
  const bundle = plotlyBundleName();
  assertEquals(results.map((r) => r.files.map((f) => f.slice(dir.length))), [
    [`/${bundle}`, "/a.html", "/a.svg", "/a.png", "/a.pdf"],
    [`/sub/${bundle}`, "/sub/b.html", "/sub/b.svg", "/sub/b.png", "/sub/b.pdf"],
  ]);
  const png = await Deno.readFile(join(dir, "a.png"));
  const view = new DataView(png.buffer);
  assertEquals([view.getUint32(16), view.getUint32(20)], [1000, 600]); // 2× scale by default
  const svg = await Deno.readTextFile(join(dir, "a.svg"));
  assert(svg.startsWith("<svg"), "SVG must start with <svg");
  assertStringIncludes(svg, 'width="500"');
  assertStringIncludes(svg, "pass@1 against step");
  const pdf = await Deno.readFile(join(dir, "a.pdf"));
  assertEquals(new TextDecoder().decode(pdf.subarray(0, 5)), "%PDF-");
  // One page whose MediaBox is 500×300 px = 375×225 pt.
  const pdfText = new TextDecoder("latin1").decode(pdf);
  assertEquals(pdfText.match(/\/Type\s*\/Page\b/g)?.length, 1);
  const box = pdfText.match(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/);
  assert(box, "the PDF has no MediaBox");
  assertAlmostEquals(Number(box[1]), 375, 1);
  assertAlmostEquals(Number(box[2]), 225, 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a figure's own layout size is the default; options override it", async () => {
  const dir = await Deno.makeTempDir();
  const tall = { ...figure, layout: { ...figure.layout, height: 700 } };
  await exportFigures([{ figure: tall, path: join(dir, "own") }], { chromium: chromium(), formats: ["png"] });
  await exportFigures([{ figure: tall, path: join(dir, "set") }], {
    chromium: chromium(),
    formats: ["png"],
    height: 300,
  });
  const size = async (name: string) => {
    const view = new DataView((await Deno.readFile(join(dir, name))).buffer);
    return [view.getUint32(16), view.getUint32(20)];
  };
  assertEquals(await size("own.png"), [1280, 1400]); // the default width 640, the figure's 700, at 2×
  assertEquals(await size("set.png"), [1280, 600]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("without Chromium, exportFigures writes the HTML and says once how to get the rest", async () => {
  const dir = await Deno.makeTempDir();
  const messages: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => messages.push(args.join(" "));
  try {
    const first = await exportFigures([{ figure, path: join(dir, "a") }], { chromium: null });
    const second = await exportFigures([{ figure, path: join(dir, "b") }], { chromium: null });
    const bundle = join(dir, plotlyBundleName());
    assertEquals([first[0].files, second[0].files], [[bundle, join(dir, "a.html")], [bundle, join(dir, "b.html")]]);
  } finally {
    console.error = original;
  }
  assertEquals(messages.length, 1);
  assertStringIncludes(messages[0], "apt-get install -y --no-install-recommends chromium");
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["a.html", "b.html", plotlyBundleName()]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("exportFigures of HTML only never needs a browser", async () => {
  const dir = await Deno.makeTempDir();
  const results = await exportFigures([{ figure, path: join(dir, "a") }], { formats: ["html"], chromium: "/nope" });
  assertEquals(results[0].files, [join(dir, plotlyBundleName()), join(dir, "a.html")]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the self-contained HTML draws the figure offline and cannot be broken out of by figure text", async () => {
  const hostile = {
    data: [{ type: "bar", x: ["</script><script>window.pwned = 1</script>"], y: [1], name: "<!--" }],
    layout: { title: { text: "</title><script>window.pwned = 2</script>" } },
  };
  const html = figureHtml(hostile);
  assert(!html.includes("<script>window.pwned"), "figure text must not open a script element");
  const browser = await puppeteer.launch({
    executablePath: chromium(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    pipe: true,
  });
  try {
    const page = await browser.newPage();
    // Any request leaving the page would mean the HTML is not self-contained.
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.setContent(html, { waitUntil: "load" });
    const state = await page.evaluate(() => {
      // deno-lint-ignore no-explicit-any
      const g = globalThis as any;
      return { pwned: g.pwned ?? null, plots: g.document.querySelectorAll(".main-svg").length };
    });
    assertEquals(state.pwned, null);
    assert(state.plots > 0, "Plotly drew nothing");
    assertEquals(requests.filter((u) => !u.startsWith("data:") && u !== "about:blank"), []);
  } finally {
    await browser.close();
  }
});

Deno.test("decodeDataUrl reads base64 and percent-encoded data URLs", () => {
  assertEquals([...decodeDataUrl("data:image/png;base64,AAEC")], [0, 1, 2]);
  assertEquals(new TextDecoder().decode(decodeDataUrl("data:image/svg+xml,%3Csvg%3E")), "<svg>");
});

Deno.test("images are drawn in the bundled font, whatever sans-serif the machine has", async () => {
  const renderer = await FigureRenderer.launch(chromium());
  try {
    assert((await renderer.loadedFonts()).includes(BUNDLED_FONT), "the bundled font is not loaded in the renderer");
    // The PDF embeds the face the text was drawn in: the bundled DejaVu Sans, named as its file names it.
    const pdf = await renderer.render(
      { ...figure, layout: { ...figure.layout, font: { family: FIGURE_FONT } } },
      "pdf",
    );
    assertStringIncludes(new TextDecoder("latin1").decode(pdf), "DejaVuSans");
  } finally {
    await renderer.close();
  }
});

Deno.test("a folder of figures shares one Plotly bundle: pages stay small and each draws its figure from file://", async () => {
  const dir = await Deno.makeTempDir();
  const items = ["a", "b", "c"].map((name) => ({ figure, path: join(dir, name) }));
  await exportFigures(items, { formats: ["html"], chromium: null });
  const sizes = Object.fromEntries(
    [...Deno.readDirSync(dir)].map((e) => [e.name, Deno.statSync(join(dir, e.name)).size]),
  );
  assertEquals(Object.keys(sizes).sort(), ["a.html", "b.html", "c.html", plotlyBundleName()]);
  // Before: every page inlined the 4.8 MB bundle; now the pages hold the figure's JSON only.
  for (const page of ["a.html", "b.html", "c.html"]) assert(sizes[page] < 10_000, `${page}: ${sizes[page]} bytes`);
  assert(sizes[plotlyBundleName()] > 4_000_000, "the bundle is Plotly itself");
  const plots = await inChromium(
    join(dir, "b.html"),
    // deno-lint-ignore no-explicit-any
    () => (globalThis as any).document.querySelectorAll(".main-svg").length,
  );
  assert(plots > 0, "the page did not draw its figure from the shared bundle");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an SVG carries its font, subset to its text; a PDF is titled; jpeg is a format", async () => {
  const dir = await Deno.makeTempDir();
  const titled = { ...figure, layout: { ...figure.layout, font: { family: FIGURE_FONT } } };
  await exportFigures([{ figure: titled, path: join(dir, "a") }], {
    chromium: chromium(),
    formats: ["svg", "pdf", "jpeg"],
  });
  const svg = await Deno.readTextFile(join(dir, "a.svg"));
  assertStringIncludes(svg, `@font-face{font-family:"${BUNDLED_FONT}"`);
  assertStringIncludes(svg, "data:font/woff2;base64,");
  // Two weights, cut to the figure's characters: a few KB, not the 480 KB of the whole face.
  assert(svg.length < 60_000, `SVG of ${svg.length} characters`);
  // Opened alone, with no page around it to supply the font, the SVG still draws its text in the bundled face.
  const fonts = await inChromium(join(dir, "a.svg"), async () => {
    // deno-lint-ignore no-explicit-any
    const { document } = globalThis as any;
    await document.fonts.ready;
    return [...document.fonts].filter((f: { status: string }) => f.status === "loaded")
      .map((f: { family: string }) => f.family.replace(/^"|"$/g, ""));
  });
  assert(fonts.includes(BUNDLED_FONT), `fonts loaded by the bare SVG: ${fonts.join(", ")}`);
  const pdf = new TextDecoder("latin1").decode(await Deno.readFile(join(dir, "a.pdf")));
  const title = pdf.match(/\/Title\s*(\([^)]*\)|<[0-9A-Fa-f]+>)/)?.[1] ?? "";
  const text = title.startsWith("<")
    ? new TextDecoder("utf-16be").decode(
      new Uint8Array(title.slice(1, -1).match(/../g)!.map((h) => parseInt(h, 16))).subarray(2),
    )
    : title.slice(1, -1);
  assertEquals(text, "pass@1 against step");
  const jpeg = await Deno.readFile(join(dir, "a.jpg"));
  assertEquals([jpeg[0], jpeg[1]], [0xff, 0xd8]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--formats is read the same everywhere: jpg is jpeg, anything else is refused naming the flag", async () => {
  assertEquals(parseFormats("html, PNG,jpg,jpeg"), ["html", "png", "jpeg"]);
  for (const bad of ["png,gif", "", "svg,,tiff"]) {
    let message = "";
    try {
      parseFormats(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    assert(message.startsWith("--formats: "), `${JSON.stringify(bad)}: ${message}`);
  }
  for (const [script, args] of [["figures.ts", ["/nonexistent-out"]], ["ablation.ts", ["--dry-run"]]] as const) {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `cli/${script}`, ...args, "--formats", "png,gif"],
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(code, 2, script);
    assertStringIncludes(new TextDecoder().decode(stderr), '--formats: unknown format "gif"');
  }
});
