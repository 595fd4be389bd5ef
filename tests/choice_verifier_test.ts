import { assertEquals } from "./assert.ts";
import { extractChoice, verifyChoice } from "../lib/verifiers/choice.ts";

Deno.test("the chosen letter in every common form", () => {
  const forms: [string, string | null][] = [
    ["(B)", "B"],
    ["B)", "B"],
    ["B", "B"],
    ["\\boxed{B}", "B"],
    ["\\boxed{(B)}", "B"],
    ["\\boxed{\\text{(B)}}", "B"],
    ["\\text{(B)}", "B"],
    ["The answer is B.", "B"],
    ["the answer is (d)", "D"],
    ["Answer: C", "C"],
    ["Between (A) and (C), v = d/t gives 12 m/s, so the answer is (C).", "C"],
    ["I considered (A) first. Then (B).", "B"],
    ["no letter at all", null],
  ];
  for (const [response, letter] of forms) assertEquals(extractChoice(response), letter, response);
});

Deno.test("verifyChoice compares with the gold letter and explains", () => {
  assertEquals(verifyChoice("so \\boxed{C}", "C"), { correct: true });
  assertEquals(verifyChoice("so \\boxed{C}", "c"), { correct: true });
  assertEquals(verifyChoice("so \\boxed{A}", "C"), { correct: false, reason: "chose A" });
  assertEquals(verifyChoice("hmm", "C"), { correct: false, reason: "no option letter found" });
  assertEquals(verifyChoice("(A)", "AB").correct, false);
});
