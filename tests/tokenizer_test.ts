import { assertEquals, assertThrows } from "./assert.ts";
import { SPECIAL, Tokenizer } from "../lib/mod.ts";

const tok = new Tokenizer("0123456789+-*=;.:|");

Deno.test("token ids are the specials, then the vocabulary in order (golden)", () => {
  assertEquals(SPECIAL, { PAD: 0, BOS: 1, EOS: 2, HINT: 3, SEP: 4 });
  assertEquals(tok.size, 5 + 18);
  // '7' is character 7 → id 12; '+' is 10 → 15; '5' → 10; '*' is 12 → 17; '3' → 8.
  assertEquals(tok.encode("7+5*3"), [12, 15, 10, 17, 8]);
  assertEquals(tok.decode([12, 15, 10, 17, 8]), "7+5*3");
});

Deno.test("round trips: text, contexts with and without hint, completions", () => {
  for (const text of ["", "0", "6+8+7*5:", "12*3-4;36-4;32.", "|||", "9876543210"]) {
    assertEquals(tok.decode(tok.encode(text)), text);
  }
  const plain = tok.encodeContext("6+8+7*5");
  const hinted = tok.encodeContext("6+8+7*5", "3=35");
  assertEquals(plain, [SPECIAL.BOS, ...tok.encode("6+8+7*5"), SPECIAL.SEP]);
  assertEquals(hinted, [SPECIAL.BOS, ...tok.encode("6+8+7*5"), SPECIAL.HINT, ...tok.encode("3=35"), SPECIAL.SEP]);
  assertEquals(tok.decode(hinted, { specials: true }), "<bos>6+8+7*5<hint>3=35<sep>");
  assertEquals(tok.decode(hinted), "6+8+7*53=35");
  assertEquals(tok.encodeCompletion("49."), [...tok.encode("49."), SPECIAL.EOS]);
  assertEquals(tok.decode(tok.encodeCompletion("49."), { specials: true }), "49.<eos>");
});

Deno.test("a character outside the vocabulary is an error naming it and its position", () => {
  assertThrows(() => tok.encode("7+x*3"), Error, `character "x" (U+0078) at position 2 of "7+x*3"`);
  // Positions count characters (code points), not UTF-16 units.
  assertThrows(() => tok.encode("1😀2é"), Error, `character "😀" (U+1F600) at position 1`);
  assertThrows(() => tok.encodeContext("1+1", "é"), Error, `character "é" (U+00E9) at position 0`);
  assertThrows(() => tok.decode([999]), Error, "token id 999 is outside the vocabulary (size 23)");
});

Deno.test("vocabulary from texts is sorted and unique; repeats are refused", () => {
  const built = Tokenizer.fromTexts(["b+a", "a=c", "ab"]);
  assertEquals(built.chars, "+=abc");
  assertEquals(Tokenizer.fromTexts(["é😀a"]).decode(Tokenizer.fromTexts(["é😀a"]).encode("a😀é")), "a😀é");
  assertThrows(() => new Tokenizer("abca"), Error, `vocabulary repeats the character "a"`);
});
