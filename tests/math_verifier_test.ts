import { assert, assertEquals } from "./assert.ts";
import { extractMathAnswer, mathEqual, verifyMath } from "../lib/verifiers/math.ts";

// [gold, predicted] pairs that must be judged equal.
const EQUIVALENT: [string, string][] = [
  // MATH's classic normalisation cases
  ["\\frac{1}{2}", "\\dfrac{1}{2}"],
  ["\\frac{1}{2}", "\\tfrac12"],
  ["\\frac{1}{2}", "\\frac12"],
  ["\\frac{3}{4}", "0.75"],
  ["10", "10.0"],
  ["1000", "1,000"],
  ["1000000", "1{,}000{,}000"],
  ["5", "x = 5"],
  ["5", "5 \\text{ cm}"],
  ["5", "\\$5"],
  ["50", "50\\%"],
  ["90", "90^\\circ"],
  ["90", "90^{\\circ}"],
  ["2\\frac{1}{2}", "\\frac{5}{2}"],
  ["\\sqrt{2}", "\\sqrt2"],
  ["\\left(1, 2\\right)", "(1,2)"],
  ["\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}"],
  ["0.\\overline{3}", "\\frac{1}{3}"],
  ["1.\\overline{27}", "\\frac{14}{11}"],
  // exact values
  ["0.3", "0.1+0.2"],
  ["\\frac{2}{4}", "\\frac{1}{2}"],
  ["2^{10}", "1024"],
  ["123456789012345678901234567890123", "123456789012345678901234567890123"],
  ["-7", "-7.000"],
  // constants and irrationals
  ["\\pi", "\\pi"],
  ["2\\pi", "\\pi \\cdot 2"],
  ["\\sqrt{8}", "2\\sqrt{2}"],
  ["\\sqrt[3]{27}", "3"],
  ["e", "e^{1}"],
  ["i^2", "-1"],
  ["\\infty", "\\infty"],
  // expressions with variables
  ["2x+1", "1+2x"],
  ["(x+1)^2", "x^2+2x+1"],
  ["\\frac{x}{2}", "0.5x"],
  ["x^2 - y^2", "(x-y)(x+y)"],
  // structures
  ["(1, 2)", "(1,2)"],
  ["[1, 2)", "[1,2)"],
  ["(-\\infty, 3]", "(-\\infty,3]"],
  ["\\{1, 2, 3\\}", "\\{3, 1, 2\\}"],
  ["1, 2", "2, 1"],
  ["\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix}1&2\\\\3&\\frac{8}{2}\\end{pmatrix}"],
  ["y = 2x + 1", "y = 1 + 2x"],
  ["y = 2x + 1", "2x + 1 = y"],
  ["(\\frac{1}{2}, \\sqrt{4})", "(0.5, 2)"],
];

// Pairs that must be judged different.
const DIFFERENT: [string, string][] = [
  ["\\frac{1}{3}", "0.3333"],
  ["\\frac{1}{3}", "0.33"],
  ["\\sqrt{2}", "1.41421356"],
  ["\\pi", "3.14"],
  ["123456789012345678901234567890123", "123456789012345678901234567890124"],
  ["2x+1", "2x"],
  ["(1, 2)", "(2, 1)"],
  ["[1, 2)", "(1, 2)"],
  ["[1, 2]", "[1, 2)"],
  ["\\{1, 2\\}", "\\{1, 2, 3\\}"],
  ["\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}"],
  ["y = 2x + 1", "y = 2x - 1"],
  ["5", "x"],
  ["1", "\\{1, 2\\}"],
  ["10", "100"],
  ["", ""],
  ["\\infty", "-\\infty"],
];

// Hostile predictions: each must be false, fast.
const HOSTILE = [
  "2^{2^{2^{2^{2^{2^{2}}}}}}",
  "9^{9^{9^{9}}}",
  "(".repeat(10_000) + "1" + ")".repeat(10_000),
  "{".repeat(5_000) + "1" + "}".repeat(5_000),
  "1".repeat(1_000_000),
  "1000000!",
  "\\frac{1}{0}",
  "0^{-1}",
  "x".repeat(900),
  "\\sqrt{-1}^{\\sqrt{-1}^{\\sqrt{-1}^{99999}}}",
];

Deno.test("equivalent answers are equal, both ways", () => {
  for (const [gold, predicted] of EQUIVALENT) {
    assert(mathEqual(gold, predicted), `${gold} should equal ${predicted}`);
    assert(mathEqual(predicted, gold), `${predicted} should equal ${gold}`);
  }
});

Deno.test("different answers are not equal", () => {
  for (const [gold, predicted] of DIFFERENT) {
    assert(!mathEqual(gold, predicted), `${gold} should not equal ${predicted}`);
  }
});

Deno.test("hostile answers are refused quickly", () => {
  for (const hostile of HOSTILE) {
    const started = performance.now();
    assertEquals(mathEqual("2", hostile), false, hostile.slice(0, 30));
    assertEquals(mathEqual(hostile, hostile + "+1"), false, hostile.slice(0, 30));
    const ms = performance.now() - started;
    assert(ms < 2000, `${hostile.slice(0, 30)} took ${ms} ms`);
  }
});

Deno.test("extraction: last boxed with braces matched, #### x, 'the final answer is', last number", () => {
  assertEquals(extractMathAnswer("first \\boxed{1} then \\boxed{\\frac{a}{\\sqrt{b}}} done"), "\\frac{a}{\\sqrt{b}}");
  assertEquals(extractMathAnswer("\\fbox{42}"), "42");
  assertEquals(extractMathAnswer("\\boxed 7"), "7");
  assertEquals(extractMathAnswer("Natalia sold 48/2 = 24 clips.\n#### 72"), "72");
  assertEquals(extractMathAnswer("Therefore, the final answer is $\\frac{3}{4}$. I hope"), "\\frac{3}{4}");
  assertEquals(extractMathAnswer("So the answer is 12."), "12");
  assertEquals(extractMathAnswer("we get 7 and then 9.5 apples"), "9.5");
  assertEquals(extractMathAnswer("no numbers here"), null);
});

Deno.test("verifyMath gives a reason when false", () => {
  assertEquals(verifyMath("... \\boxed{\\dfrac{3}{4}}", "0.75"), { correct: true });
  assertEquals(verifyMath("... \\boxed{0.7}", "0.75"), { correct: false, reason: "wrong answer: 0.7" });
  assertEquals(verifyMath("I give up", "0.75"), { correct: false, reason: "no answer found" });
});
