/**
 * Figure export: a Plotly figure becomes an `.html` page always, and `.svg`, `.png`, `.jpg` and `.pdf` through
 * `puppeteer-core` driving Debian's Chromium when it is installed. One browser serves a whole export batch.
 * Without Chromium the HTML is still written and one line says how to get the other formats.
 *
 * What a reader of the files gets: the pages of one folder share one copy of Plotly beside them
 * (`plotly-<version>.min.js`, 4.8 MB once instead of in every page); an SVG carries the glyphs it uses as an embedded
 * font (a subset of the bundled face, `subset-font`), so any browser or editor draws the same text; a PDF's
 * document title is the figure's title.
 *
 * @example
 * ```ts
 * import { exportFigures } from "./export.ts";
 * const figure = { data: [{ type: "scatter", x: [1, 2, 3], y: [0.1, 0.4, 0.5] }], layout: { title: "pass@1" } };
 * const written = await exportFigures([{ figure, path: "/tmp/figures/pass1" }]);
 * console.log(written.map((w) => w.files).flat());
 * ```
 *
 * @module
 */
import { createRequire } from "node:module";
import { Buffer } from "node:buffer";
import { dirname, join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import subsetFont from "subset-font";
import { writeFileAtomic, writeTextFileAtomic } from "../io.ts";
import { CHROMIUM_INSTALL_HINT, findChromium } from "./chromium.ts";
import { BUNDLED_FONT, DEFAULT_SIZE, type Figure, figureTitle } from "./figure.ts";

/** Image formats that need a browser. */
export type ImageFormat = "svg" | "png" | "jpeg" | "pdf";
/** Every format the exporter writes. */
export type ExportFormat = "html" | ImageFormat;
/** The formats, in the order they are written. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ["html", "svg", "png", "jpeg", "pdf"];
/** Each format's file extension. */
export const EXTENSION: Record<ExportFormat, string> = {
  html: "html",
  svg: "svg",
  png: "png",
  jpeg: "jpg",
  pdf: "pdf",
};

/**
 * A `--formats` value as the exporter's formats: comma-separated, `jpg` read as `jpeg`, anything else refused with
 * the flag named and the valid list, the same wherever a command takes the flag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFormats } from "./export.ts";
 * assert.deepEqual(parseFormats("png, jpg"), ["png", "jpeg"]);
 * assert.throws(() => parseFormats("png,gif"), /--formats: unknown format "gif"/);
 * ```
 */
export function parseFormats(text: string, flag = "--formats"): ExportFormat[] {
  const formats = text.split(",").map((f) => f.trim().toLowerCase()).filter((f) => f !== "");
  if (formats.length === 0) throw new Error(`${flag}: no format given (use ${EXPORT_FORMATS.join(", ")})`);
  return [
    ...new Set(formats.map((f) => {
      const format = f === "jpg" ? "jpeg" : f;
      if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
        throw new Error(`${flag}: unknown format "${f}" (use ${EXPORT_FORMATS.join(", ")}; jpg = jpeg)`);
      }
      return format as ExportFormat;
    })),
  ];
}

/** Size and resolution of exported images. */
export interface ImageOptions {
  /** Width in CSS pixels (default: the figure layout's `width`, else 640). */
  width?: number;
  /** Height in CSS pixels (default: the figure layout's `height`, else 400). */
  height?: number;
  /** Pixel ratio of PNGs (2 = print quality at the given size). */
  scale?: number;
}

/** Options of {@link exportFigures}. */
export interface ExportOptions extends ImageOptions {
  /** Formats to write; `html` is always written. Default: all four. */
  formats?: ExportFormat[];
  /** Chromium binary; default: {@link findChromium}. `null` exports HTML only. */
  chromium?: string | null;
}

/** What was written for one figure. */
export interface ExportResult {
  path: string;
  files: string[];
}

const require = createRequire(import.meta.url);
let plotlySource: string | undefined;

/** Path of the Plotly bundle the kit pins. */
export function plotlyPath(): string {
  return require.resolve("plotly.js-dist-min");
}

/** The file name of the shared Plotly bundle beside an output folder's pages: versioned, so no page loads another. */
export function plotlyBundleName(): string {
  const { version } = JSON.parse(Deno.readTextFileSync(join(dirname(plotlyPath()), "package.json")));
  return `plotly-${version}.min.js`;
}

/** The Plotly bundle's source, read once. */
export function plotlyJs(): string {
  plotlySource ??= Deno.readTextFileSync(plotlyPath());
  return plotlySource;
}

let fontCss: string | undefined;
const fontBytes = new Map<string, Uint8Array>();

/** The bundled face's WOFF2 file of one weight (from the pinned npm package), read once. */
function bundledFont(weight: "400" | "700"): Uint8Array {
  let bytes = fontBytes.get(weight);
  if (!bytes) {
    bytes = Deno.readFileSync(
      require.resolve(`@fontsource/dejavu-sans/files/dejavu-sans-latin-${weight}-normal.woff2`),
    );
    fontBytes.set(weight, bytes);
  }
  return bytes;
}

/** `@font-face` rules for {@link BUNDLED_FONT} (regular and bold), built once. */
export function bundledFontCss(): string {
  fontCss ??= (["400", "700"] as const).map((weight) => {
    const base64 = Buffer.from(bundledFont(weight)).toString("base64");
    return `@font-face{font-family:"${BUNDLED_FONT}";font-style:normal;font-weight:${weight};` +
      `src:url(data:font/woff2;base64,${base64}) format("woff2")}`;
  }).join("\n");
  return fontCss;
}

/** Text made safe inside HTML (element content and attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a `<script>` element (no `</script>` can end it early). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/**
 * An HTML page that draws `figure`: with Plotly inlined by default (it opens offline, in any browser, forever), or
 * loading it from `plotlySrc`, a path relative to the page (the pages of one folder share one bundle).
 */
export function figureHtml(figure: Figure, options: { responsive?: boolean; plotlySrc?: string } = {}): string {
  const title = figureTitle(figure) ?? "figure";
  const config = { displaylogo: false, responsive: options.responsive ?? true, ...figure.config };
  const plotly = options.plotlySrc !== undefined
    ? `<script src="${escapeHtml(options.plotlySrc)}"></script>`
    : `<script>${plotlyJs().replace(/<\/script/gi, "<\\/script")}</script>`;
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>html,body{margin:0;height:100%}#figure{width:100%;height:100%}</style>
${plotly}</head>
<body><div id="figure"></div>
<script>Plotly.newPlot("figure", ${scriptJson(figure.data)}, ${scriptJson(figure.layout ?? {})}, ${
    scriptJson(config)
  });</script>
</body></html>
`;
}

/** Chromium flags that work as root, without a GPU and without network (see `docs/design.md`). */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * A headless Chromium with Plotly loaded, turning figures into SVG, PNG or PDF bytes. Launch one per batch and
 * close it when done: starting a browser costs far more than rendering a figure.
 */
export class FigureRenderer {
  private constructor(private browser: Browser, private page: Page) {}

  /** Start Chromium (at `executablePath`) and load Plotly into a blank page. */
  static async launch(executablePath: string): Promise<FigureRenderer> {
    const userDataDir = await Deno.makeTempDir({ prefix: "guide-chromium-" });
    // Over a pipe (not a websocket), Chromium quits by itself when this process dies, even by SIGKILL: no orphans.
    const browser = await puppeteer.launch({
      executablePath,
      args: CHROMIUM_ARGS,
      userDataDir,
      headless: true,
      pipe: true,
    });
    try {
      const page = await browser.newPage();
      await page.setContent(`<!DOCTYPE html><html><head><style>${bundledFontCss()}</style></head><body></body></html>`);
      await page.addScriptTag({ content: plotlyJs() });
      await loadBundledFont(page);
      const renderer = new FigureRenderer(browser, page);
      renderer.userDataDir = userDataDir;
      return renderer;
    } catch (e) {
      await browser.close();
      throw e;
    }
  }

  private userDataDir?: string;

  /** Families of the fonts loaded in the rendering page (the bundled one must be among them). */
  async loadedFonts(): Promise<string[]> {
    return await this.page.evaluate(() => {
      // deno-lint-ignore no-explicit-any
      const { document } = globalThis as any;
      return [...document.fonts].filter((f: { status: string }) => f.status === "loaded")
        .map((f: { family: string }) => f.family.replace(/^"|"$/g, ""));
    });
  }

  /** Render one figure in one format. */
  async render(figure: Figure, format: ImageFormat, options: ImageOptions = {}): Promise<Uint8Array> {
    // A figure may ask for its own size (a bar per variant grows taller); the options override it.
    const own = figure.layout as { width?: unknown; height?: unknown };
    const width = options.width ?? (typeof own.width === "number" ? own.width : DEFAULT_SIZE.width);
    const height = options.height ?? (typeof own.height === "number" ? own.height : DEFAULT_SIZE.height);
    // Vector formats keep the CSS size (a scaled SVG would overflow the PDF page); only raster gets more pixels.
    const scale = format === "png" || format === "jpeg" ? options.scale ?? 2 : 1;
    const imageFormat = format === "pdf" ? "svg" : format;
    const url = await this.page.evaluate(
      async (fig: Figure, fmt: string, w: number, h: number, s: number) => {
        // This function runs in the browser page, where Plotly and the DOM are globals.
        // deno-lint-ignore no-explicit-any
        const { Plotly, document } = globalThis as any;
        const div = document.createElement("div");
        document.body.appendChild(div);
        try {
          await Plotly.newPlot(div, fig.data, { ...fig.layout, width: w, height: h }, fig.config ?? {});
          return await Plotly.toImage(div, { format: fmt, width: w, height: h, scale: s });
        } finally {
          Plotly.purge(div);
          div.remove();
        }
      },
      figure,
      imageFormat,
      width,
      height,
      scale,
    );
    const bytes = decodeDataUrl(url);
    if (format === "svg") return new TextEncoder().encode(await embedFont(new TextDecoder().decode(bytes)));
    if (format !== "pdf") return bytes;
    return await this.svgToPdf(new TextDecoder().decode(bytes), width, height, figureTitle(figure) ?? "figure");
  }

  /** Print an SVG to a one-page vector PDF of the same size, titled `title` (the PDF's metadata). */
  private async svgToPdf(svg: string, width: number, height: number, title: string): Promise<Uint8Array> {
    const page = await this.browser.newPage();
    try {
      await page.setContent(
        `<!DOCTYPE html><html><head><title>${escapeHtml(title)}</title>` +
          `<style>@page{size:${width}px ${height}px;margin:0}html,body{margin:0}` +
          `${bundledFontCss()}</style></head><body>${svg}</body></html>`,
      );
      await loadBundledFont(page);
      return await page.pdf({ width: `${width}px`, height: `${height}px`, printBackground: true, pageRanges: "1" });
    } finally {
      await page.close();
    }
  }

  /** Close the browser and remove its profile. */
  async close(): Promise<void> {
    await this.browser.close();
    if (this.userDataDir) await Deno.remove(this.userDataDir, { recursive: true }).catch(() => {});
  }
}

/** Wait until the page has decoded the bundled font (text measured before would use a fallback's metrics). */
async function loadBundledFont(page: Page): Promise<void> {
  await page.evaluate(async (family: string) => {
    // deno-lint-ignore no-explicit-any
    const { document } = globalThis as any;
    await Promise.all(["400", "700"].map((w) => document.fonts.load(`${w} 13px "${family}"`)));
  }, BUNDLED_FONT);
}

/**
 * `svg` with the bundled face embedded, cut down to the characters its text uses (a few KB instead of the 480 KB
 * of both weights): a renderer without the font, or without the kit's page around it, draws the same glyphs.
 */
export async function embedFont(svg: string): Promise<string> {
  const open = svg.indexOf(">", svg.indexOf("<svg"));
  if (open < 0) return svg;
  // The characters of every text node, entities decoded, plus the digits and signs a tick label may use.
  const text = svg.replace(/<[^>]*>/g, " ").replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  const glyphs = [...new Set(text + "0123456789.,−-+%")].join("");
  const faces = await Promise.all((["400", "700"] as const).map(async (weight) => {
    const subset = await subsetFont(Buffer.from(bundledFont(weight)), glyphs, {
      targetFormat: "woff2",
    });
    return `@font-face{font-family:"${BUNDLED_FONT}";font-style:normal;font-weight:${weight};` +
      `src:url(data:font/woff2;base64,${Buffer.from(subset).toString("base64")}) format("woff2")}`;
  }));
  return `${svg.slice(0, open + 1)}<style>${faces.join("")}</style>${svg.slice(open + 1)}`;
}

/** Bytes of a `data:` URL as Plotly.toImage returns them (base64 for PNG, percent-encoded for SVG). */
export function decodeDataUrl(url: string): Uint8Array {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma < 0) throw new Error(`not a data URL: ${url.slice(0, 40)}`);
  const header = url.slice(5, comma);
  const body = url.slice(comma + 1);
  if (header.endsWith(";base64")) return new Uint8Array(Buffer.from(body, "base64"));
  return new TextEncoder().encode(decodeURIComponent(body));
}

let warnedNoChromium = false;

/** Say once per process that only HTML can be written, and how to get the rest. */
function warnNoChromium(): void {
  if (warnedNoChromium) return;
  warnedNoChromium = true;
  console.error(`figures: no Chromium found, writing HTML only (for SVG/PNG/PDF: ${CHROMIUM_INSTALL_HINT})`);
}

/**
 * Export figures. Each `path` is a file name without extension; `path.html` is always written, the image formats
 * when Chromium is available. All files are written atomically. One browser is launched for the whole batch.
 */
export async function exportFigures(
  items: { figure: Figure; path: string }[],
  options: ExportOptions = {},
): Promise<ExportResult[]> {
  const formats = options.formats ?? ["html", "svg", "png", "pdf"];
  const imageFormats = EXPORT_FORMATS.filter((f): f is ImageFormat => f !== "html" && formats.includes(f));
  const chromium = options.chromium === undefined ? findChromium() : options.chromium;
  const results: ExportResult[] = [];
  // One Plotly bundle a folder, written before the pages that load it.
  const bundle = plotlyBundleName();
  const folders = new Set<string>();
  for (const { figure, path } of items) {
    // The first figure of a folder lists the bundle among its files, before its page.
    const files: string[] = [];
    if (!folders.has(dirname(path))) {
      folders.add(dirname(path));
      await Deno.mkdir(dirname(path), { recursive: true });
      await writeTextFileAtomic(join(dirname(path), bundle), plotlyJs());
      files.push(join(dirname(path), bundle));
    }
    await writeTextFileAtomic(`${path}.html`, figureHtml(figure, { plotlySrc: bundle }));
    results.push({ path, files: [...files, `${path}.html`] });
  }
  if (imageFormats.length === 0 || items.length === 0) return results;
  if (!chromium) {
    warnNoChromium();
    return results;
  }
  const renderer = await FigureRenderer.launch(chromium);
  try {
    for (const [i, { figure, path }] of items.entries()) {
      for (const format of imageFormats) {
        const file = `${path}.${EXTENSION[format]}`;
        await writeFileAtomic(file, await renderer.render(figure, format, options));
        results[i].files.push(file);
      }
    }
  } finally {
    await renderer.close();
  }
  return results;
}
