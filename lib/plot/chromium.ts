/**
 * Where Debian's Chromium lives, for figure export through puppeteer-core.
 *
 * `GUIDE_CHROMIUM` overrides the search: a path to the browser binary, or `none` to behave as if no browser were
 * installed (figures then export to HTML only).
 *
 * @module
 */

/** Paths tried in order; Debian's package installs the real binary under /usr/lib and a wrapper in /usr/bin. */
export const CHROMIUM_CANDIDATES = [
  "/usr/lib/chromium/chromium",
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
];

/** Debian's package of Chromium. */
export const CHROMIUM_PACKAGES = ["chromium"];

/** How to get Chromium on a Debian machine; printed when it is missing. */
export const CHROMIUM_INSTALL_HINT = `apt-get install -y --no-install-recommends ${CHROMIUM_PACKAGES.join(" ")}`;

/**
 * Find a Chromium binary, or `null` when there is none (or `GUIDE_CHROMIUM=none`).
 *
 * @example
 * ```ts
 * import { findChromium } from "./chromium.ts";
 * const browser = findChromium();
 * console.log(browser ?? "no Chromium: figures export to HTML only");
 * ```
 */
export function findChromium(): string | null {
  const override = Deno.env.get("GUIDE_CHROMIUM");
  if (override === "none") return null;
  const candidates = override ? [override] : CHROMIUM_CANDIDATES;
  for (const path of candidates) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here; try the next one
    }
  }
  return null;
}
