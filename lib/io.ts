/**
 * File writing that never leaves a half-written file behind: write a temporary file beside the target, then rename
 * it over the target (rename is atomic within one file system).
 *
 * @module
 */
import { basename, dirname, isAbsolute, relative } from "node:path";

/**
 * Write `data` to `path` atomically: readers see the old file or the new one, never a mix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "./io.ts";
 * const file = await Deno.makeTempFile();
 * await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
 * assert.deepEqual(await Deno.readFile(file), new Uint8Array([1, 2, 3]));
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = await Deno.makeTempFile({ dir, prefix: ".tmp-" });
  try {
    await Deno.writeFile(tmp, data);
    // makeTempFile creates 0600; results are meant to be read by others too.
    await Deno.chmod(tmp, 0o644);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Write text to `path` atomically (UTF-8). */
export function writeTextFileAtomic(path: string, text: string): Promise<void> {
  return writeFileAtomic(path, new TextEncoder().encode(text));
}

/** SHA-256 of bytes or text, as lowercase hex (checkpoints and datasets pin their files with it). */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Does `path` exist? (Other errors than "not found", e.g. permissions, are thrown.) */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * The objects of a JSONL file (an absent file reads as none). Only an append cut short by a crash can leave a bad
 * line, and only as the last one: that line is dropped; a bad line elsewhere is an error naming the file and line.
 */
export async function readJsonLines(file: string): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const lines = text.trimEnd().split("\n");
  const out: Record<string, unknown>[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line));
    } catch {
      if (i < lines.length - 1) throw new Error(`${file}:${i + 1}: not valid JSON`);
    }
  });
  return out;
}

/**
 * Text without the machine's absolute paths (the Deno binary, a temp folder, a home, `file://` URLs), for what goes
 * into output files and verdicts (an answer can echo paths into an error message); each becomes `<path>`.
 */
export function scrubPaths(text: string): string {
  return text.replace(/(?:file:\/\/)?\/(?:[^\s/'"`()<>:]+\/)+[^\s'"`()<>:]*/g, "<path>");
}

/**
 * A file's path as output files show it: relative to the working folder when inside it, else its name alone (an
 * absolute path names the machine).
 */
export function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const inside = relative(Deno.cwd(), file);
  return inside.startsWith("..") || isAbsolute(inside) ? basename(file) : inside;
}
