/**
 * A character-level tokenizer over a vocabulary fixed by the datasets, with four special tokens:
 * PAD (batch padding), BOS (start of a context), HINT (separates the prompt from its hint) and SEP (end of the
 * context: the completion starts after it), plus EOS (end of a completion).
 *
 * A context is `BOS prompt SEP` without a hint and `BOS prompt HINT hint SEP` with one; the completion follows and
 * ends with EOS. So the plain context q and the hinted context (q, h) share the prompt's tokens, and a completion
 * sampled in one can be scored in the other.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tokenizer } from "./tokenizer.ts";
 * const tok = new Tokenizer("0123456789+-*=;.:");
 * const ids = tok.encodeContext("7+5*3", "2=15");
 * assert.equal(tok.decode(ids, { specials: true }), "<bos>7+5*3<hint>2=15<sep>");
 * ```
 *
 * @module
 */

/** The special tokens, with their ids (the first ids of every vocabulary). */
export const SPECIAL = { PAD: 0, BOS: 1, EOS: 2, HINT: 3, SEP: 4 } as const;
const SPECIAL_NAMES = ["<pad>", "<bos>", "<eos>", "<hint>", "<sep>"];

/** Character-level tokenizer. */
export class Tokenizer {
  /** The characters, in id order after the specials. */
  readonly chars: string;
  private readonly ids = new Map<string, number>();
  private readonly list: string[];

  /** A tokenizer over `chars` (each character once; order fixes the ids). */
  constructor(chars: string) {
    const list = [...chars];
    for (const [i, c] of list.entries()) {
      if (this.ids.has(c)) throw new Error(`vocabulary repeats the character ${JSON.stringify(c)}`);
      this.ids.set(c, SPECIAL_NAMES.length + i);
    }
    this.chars = list.join("");
    this.list = list;
  }

  /** The vocabulary of every character in `texts`, sorted by code point. */
  static fromTexts(texts: Iterable<string>): Tokenizer {
    const seen = new Set<string>();
    for (const text of texts) for (const c of text) seen.add(c);
    return new Tokenizer([...seen].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!).join(""));
  }

  /** Vocabulary size, specials included. */
  get size(): number {
    return SPECIAL_NAMES.length + this.ids.size;
  }

  /** Ids of the characters of `text`; a character outside the vocabulary is an error naming it and its position. */
  encode(text: string): number[] {
    const out: number[] = [];
    let position = 0;
    for (const c of text) {
      const id = this.ids.get(c);
      if (id === undefined) {
        const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
        throw new Error(
          `character ${JSON.stringify(c)} (${code}) at position ${position} of ${
            JSON.stringify(text.length > 60 ? text.slice(0, 60) + "…" : text)
          } is not in the vocabulary`,
        );
      }
      out.push(id);
      position++;
    }
    return out;
  }

  /** The context a completion is generated in: `BOS prompt [HINT hint] SEP`. */
  encodeContext(prompt: string, hint?: string): number[] {
    const hinted = hint === undefined ? [] : [SPECIAL.HINT, ...this.encode(hint)];
    return [SPECIAL.BOS, ...this.encode(prompt), ...hinted, SPECIAL.SEP];
  }

  /** A completion as trained on: its characters then EOS. */
  encodeCompletion(text: string): number[] {
    return [...this.encode(text), SPECIAL.EOS];
  }

  /** Text of `ids`; specials are dropped unless `specials` is set (then written as `<bos>`, `<eos>`, …). */
  decode(ids: Iterable<number>, options: { specials?: boolean } = {}): string {
    let text = "";
    for (const id of ids) {
      if (id < SPECIAL_NAMES.length) {
        if (options.specials) text += SPECIAL_NAMES[id];
        continue;
      }
      const c = this.list[id - SPECIAL_NAMES.length];
      if (c === undefined) throw new Error(`token id ${id} is outside the vocabulary (size ${this.size})`);
      text += c;
    }
    return text;
  }
}
