import { assert, assertEquals } from "./assert.ts";
import { extractMathAnswer, mathEqual, verifyMath } from "../lib/verifiers/math.ts";

// Issue #16's categories, each with its negative twin (the nearest wrong answer): [category, gold, prediction, equal?].
// Golds may be whole solutions and predictions whole responses; both go through the same extraction.
const CATEGORIES: [string, string, string, boolean][] = [
  ["gold solution", "Adding them, $3 + 4 = \\boxed{7}$ apples in all.", "7", true],
  ["gold solution", "Adding them, $3 + 4 = \\boxed{7}$ apples in all.", "8", false],
  ["gold solution", "\\boxed{\\frac{5}{6}}", "$\\frac{10}{12}$", true],
  ["gold solution", "\\boxed{\\frac{5}{6}}", "$\\frac{5}{7}$", false],
  ["delimiters", "$$x^2 - 1$$", "\\((x-1)(x+1)\\)", true],
  ["delimiters", "$$x^2 - 1$$", "\\((x-1)^2\\)", false],
  ["delimiters", "\\[ 42 \\]", "The answer is $42$.", true],
  ["delimiters", "\\[ 42 \\]", "The answer is $41$.", false],
  ["several boxes", "\\{(1, 3), (5, 7)\\}", "So \\boxed{(1, 3)} \\quad\\text{and}\\quad \\boxed{(5, 7)}.", true],
  ["several boxes", "\\{(1, 3), (5, 7)\\}", "So \\boxed{(1, 3)} \\quad\\text{and}\\quad \\boxed{(5, 8)}.", false],
  ["several boxes", "4, 5, 6", "\\boxed{4},\\boxed{5},\\boxed{6}", true],
  ["several boxes", "4, 5, 6", "\\boxed{4},\\boxed{5}", false],
  ["several boxes", "\\{2, 9\\}", "$\\boxed{2}\\boxed{9}$", true],
  ["prose", "15", "Answer \\( (7+8) \\)", true],
  ["prose", "15", "Answer \\( (7+9) \\)", false],
  ["prose", "2718", "First \\boxed{100} of them. The final answer is $2,718$.", true],
  ["prose", "100", "First \\boxed{100} of them. The final answer is $2,718$.", false],
  ["prose", "34", "Final Answer: The smallest $k$ is 34.", true],
  ["prose", "34", "Final Answer: The smallest $k$ is 35.", false],
  ["chains", "y = 9", "$y = 3 \\cdot 2 + 3 = 6 + 3 = 9$", true],
  ["chains", "y = 9", "$y = 3 + 3 = 6 = 8$", false],
  ["chains", "12", "$t \\approx 12$", true],
  ["chains", "12", "$t \\approx 13$", false],
  ["chains", "x = \\frac{2}{3}", "$x = \\frac{2}{3} \\approx 0.67$", true],
  ["chains", "x = \\frac{2}{3}", "$x = \\frac{3}{4} \\approx 0.67$", false],
  ["equation scale", "3x - 6y + 9 = 0", "y = \\frac{1}{2}x + \\frac{3}{2}", true],
  ["equation scale", "3x - 6y + 9 = 0", "y = \\frac{1}{2}x - \\frac{3}{2}", false],
  ["lists", "\\{-3, 3\\}", "-3; 3", true],
  ["lists", "\\{-3, 3\\}", "-3 or 3", true],
  ["lists", "\\{-3, 3\\}", "3 and -3", true],
  ["lists", "\\{-3, 3\\}", "3 or 4", false],
  ["lists", "\\{-17, 17\\}", "\\pm 17", true],
  ["lists", "\\{17\\}", "\\pm 17", false],
  ["lists", "\\{2, 5\\}", "\\{2, 2, 5\\}", true],
  ["lists", "\\{2, 5\\}", "\\{2, 5, 6\\}", false],
  ["lists", "2 \\pm \\sqrt{3}", "2+\\sqrt{3}, 2-\\sqrt{3}", true],
  ["lists", "2 \\pm \\sqrt{3}", "2+\\sqrt{3}", false],
  ["inequalities", "t \\le 8", "8 \\ge t", true],
  ["inequalities", "t \\le 8", "8 \\le t", false],
  ["inequalities", "0 < g(t) < 4", "(0, 4)", true],
  ["inequalities", "0 < g(t) < 4", "[0, 4)", false],
  ["inequalities", "x > -2", "-x < 2", true],
  ["inequalities", "x > -2", "x < -2", false],
  ["inequalities", "y \\geq 3", "y >= 3", true],
  ["inequalities", "y \\geq 3", "y > 3", false],
  ["percent", "45\\%", "45 percent", true],
  ["percent", "45\\%", "45 pct", true],
  ["percent", "45\\%", "45 percentage", true],
  ["percent", "45\\%", "54 percent", false],
  ["percent", "0.45", "45\\%", true],
  ["percent", "0.45", "45", false],
  ["separators", "2500.75", "2500,75", true],
  ["separators", "2500.75", "2500,57", false],
  ["separators", "34000", "34 000", true],
  ["separators", "34000", "3 400", false],
  ["latex", "\\cfrac{2}{7}", "2/7", true],
  ["latex", "\\cfrac{2}{9}", "2/7", false],
  ["latex", "\\sec^2\\theta", "1 + \\tan^2\\theta", true],
  ["latex", "\\sec^2\\theta", "1 - \\tan^2\\theta", false],
  ["latex", "80", "\\boxed{80\\textnormal{ km}}", true],
  ["latex", "80", "\\boxed{8\\textnormal{ km}}", false],
  [
    "latex",
    "\\begin{pmatrix} 2 & 0 \\\\ 1 & 5 \\end{pmatrix}",
    "\\left[\\begin{array}{cc} 2 & 0 \\\\ 1 & 5 \\end{array}\\right]",
    true,
  ],
  [
    "latex",
    "\\begin{pmatrix} 2 & 0 \\\\ 1 & 5 \\end{pmatrix}",
    "\\left[\\begin{array}{cc} 2 & 0 \\\\ 1 & 6 \\end{array}\\right]",
    false,
  ],
  ["labels", "(a, b) = (4, -1)", "(4, -1)", true],
  ["labels", "(a, b) = (4, -1)", "(-1, 4)", false],
  ["functions", "\\log_3 81", "4", true],
  ["functions", "\\log_3 81", "3", false],
  ["functions", "\\log 1000", "3", true],
  ["functions", "\\sqrt{t^2}", "|t|", true],
  ["functions", "\\sqrt{t^2}", "t", false],
  ["functions", "\\cos 2a", "\\cos^2 a - \\sin^2 a", true],
  ["functions", "\\cos 2a", "2\\cos^2 a", false],
  ["functions", "\\{3, 8\\}", "3 and 8", true],
  ["functions", "\\{3, 8\\}", "3 and 9", false],
  ["wrong accepts", "t >= 4", "4", false],
  ["wrong accepts", "t >= 4", "t \\ge 4", true],
  ["wrong accepts", "y != 7", "y = 7", false],
  ["wrong accepts", "y != 7", "y \\neq 7", true],
  ["wrong accepts", "\\frac{3}{\\mathrm{e}}", "\\frac{3}{\\mathrm{k}}", false],
  ["wrong accepts", "\\frac{3}{\\mathrm{e}}", "3e^{-1}", true],
  ["wrong accepts", "3\\mathrm{e}", "3", false],
  ["wrong accepts", "47512", "47, 512", false],
  ["wrong accepts", "47512", "47,512", true],
  ["wrong accepts", "b - 4c = 0", "0", false],
  ["wrong accepts", "b - 4c = 0", "4c = b", true],
  ["wrong accepts", "(-\\infty, 2) \\cup (5, \\infty)", "(5, \\infty) \\cup (-\\infty, 2)", true],
  ["wrong accepts", "(-\\infty, 2) \\cup (5, \\infty)", "(-\\infty, 2] \\cup (5, \\infty)", false],
  ["wrong accepts", "[1, 6]", "[1, 3] \\cup [2, 6]", true],
  ["text", "\\text{Tuesday}", "\\boxed{\\text{Tuesday}}", true],
  ["text", "\\text{Tuesday}", "\\boxed{\\text{Monday}}", false],
];

Deno.test("each category of real answers is judged right, and its nearest wrong answer is refused", () => {
  const wrong = CATEGORIES.filter(([, gold, predicted, expected]) => mathEqual(gold, predicted) !== expected);
  assertEquals(
    wrong.map(([category, gold, predicted, expected]) => `[${category}] ${gold} vs ${predicted}: ${expected}`),
    [],
  );
  // Every category has both a pair that must match and one that must not.
  for (const category of new Set(CATEGORIES.map(([c]) => c))) {
    const verdicts = new Set(CATEGORIES.filter(([c]) => c === category).map(([, , , e]) => e));
    assertEquals(verdicts.size, 2, category);
  }
});

Deno.test("policy: a decimal meets any value at six places (or the precision asked); percent is p or p/100", () => {
  assertEquals(mathEqual("\\frac{2}{3}", "0.666667"), true);
  assertEquals(mathEqual("\\frac{2}{3}", "0.6667"), false);
  assertEquals(mathEqual("\\sqrt{2}", "1.414214"), true);
  assertEquals(mathEqual("\\sqrt{2}", "1.4142"), false);
  assertEquals(mathEqual("\\sqrt{17}", "4.1231"), false);
  assertEquals(mathEqual("\\sqrt{17}", "4.1231", { precision: 4 }), true);
  assertEquals(mathEqual("\\sqrt{17}", "4.1232", { precision: 4 }), false);
  assertEquals(mathEqual("\\pi", "3.141593"), true);
  assertEquals(mathEqual("\\pi", "3.14"), false);
  assertEquals(mathEqual("\\frac{1}{3}", "0.33", { precision: 2 }), true);
  // A value that rounds to 0 meets only 0.
  assertEquals(mathEqual("\\frac{\\pi}{10^{8}}", "0.0"), false);
  assertEquals(mathEqual("\\frac{\\pi}{10^{8}}", "0.00000003"), false);
  assertEquals(mathEqual("\\sqrt{4}", "2.0"), true);
  assertEquals(mathEqual("12\\%", "12"), true);
  assertEquals(mathEqual("12\\%", "0.12"), true);
  assertEquals(mathEqual("0.12", "12"), false);
  // Units are dropped after a value, never converted; \\mathrm{} only for a known unit.
  assertEquals(mathEqual("7", "7\\mathrm{kg}"), true);
  assertEquals(mathEqual("1000", "1 \\text{km}"), false);
});

Deno.test("extraction: the final answer after an earlier box wins; boxes and environments joined by 'and' are one list", () => {
  assertEquals(extractMathAnswer("Step: \\boxed{12}. Then, the final answer is $12,040$."), "12,040");
  assertEquals(extractMathAnswer("roots $x = -1$ and $x = 4$"), "x = -1, x = 4");
  assertEquals(extractMathAnswer("\\boxed{(2, 2)} \\quad\\text{and}\\quad \\boxed{(6, 2)}"), "(2, 2), (6, 2)");
  // A formula that does not read never lends a number from inside it.
  assertEquals(extractMathAnswer("so it is $3^{\\prime\\prime}$."), null);
  assertEquals(verifyMath("The roots are $x = -1$ and $x = 4$.", "\\{4, -1\\}").correct, true);
  assertEquals(verifyMath("The roots are $x = -1$ and $x = 5$.", "\\{4, -1\\}").correct, false);
});

Deno.test("relations are relations: direction-aware, never split at '=' inside >=, <=, !=", () => {
  for (
    const [gold, predicted, expected] of [
      ["x >= 5", "5", false],
      ["x >= 5", "x = 5", false],
      ["x >= 5", "5 <= x", true],
      ["x <= 5", "x < 5", false],
      ["x != 3", "x = 3", false],
      ["x != 3", "3 \\ne x", true],
      ["-1 < x < 2", "2 > x > -1", true],
      ["-1 < x < 2", "-1 < x \\le 2", false],
    ] as const
  ) {
    assertEquals(mathEqual(gold, predicted), expected, `${gold} vs ${predicted}`);
  }
});

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
  ["\\sqrt{2}", "1.41421"],
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
  "\\binom{1000000000}{500000000}",
  "1" + "\\pm 1".repeat(100),
  "1 < 2 < 3 < x < 5 < 6",
  "\\boxed{" + "(".repeat(300) + "1" + ")".repeat(300) + "}",
  "\\boxed{".repeat(50_000),
  "\\(".repeat(30_000),
  "(9^{9999})^{9999}",
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

// Near misses that must not pass, each beside the reading that must: [gold, prediction, equal?].
const NEAR_MISSES: [string, string, boolean][] = [
  // "answer" anchors only the value right after them.
  ["7", "To find the answer, we add: 3 + 4 = 7.\nDoubling that gives 14 pens.", false],
  ["14", "To find the answer, we add: 3 + 4 = 7.\nDoubling that gives 14 pens.", true],
  ["5", "The answer is not 5, it is 7.", false],
  ["7", "The answer is not 5, it is 7.", true],
  // A number that the text goes on multiplying, raising or scaling is not that number.
  ["4", "The area is 4π square units.", false],
  ["2", "It is 2^{10} in all.", false],
  ["3", "\\boxed{3 \\text{ million}}", false],
  ["3", "\\boxed{3 \\text{ apples}}", true],
  ["\\frac{5}{2}", "She needs 2 1/2 cups of flour.", true],
  ["2", "She needs 2 1/2 cups of flour.", false],
  ["4\\pi", "4π^2", false],
  ["4\\pi^2", "4π^2", true],
  // Unions merge with their ends right; a braced set is never a tuple.
  ["[0, 3]", "[0, 2] \\cup (1, 3)", false],
  ["[0, 3)", "[0, 2] \\cup (1, 3)", true],
  ["(1, 3)", "\\{1, 3\\}", false],
  ["(1, 3)", "1, 3", true],
  // Exact where it can be: no tolerance hides a difference of one in a billion.
  ["x + 1000000000", "x + 1000000001", false],
  ["x + 1000000000", "1000000000 + x", true],
  ["6.02 \\times 10^{23}", "6.02e23", true],
  ["6.02 \\times 10^{23}", "6.03e23", false],
  ["13", "\\boxed{\\text{13}}", true],
  ["12", "So the number of cookies is **12**.", true],
  ["(1, 2)", "\\boxed{\\langle 1, 2 \\rangle}", true],
  ["3100", "\\boxed{3 \\quad 100}", false],
];

Deno.test("near misses: anchors, continued numbers, scale words, unions, braced sets, exactness", () => {
  const wrong = NEAR_MISSES.filter(([gold, predicted, expected]) => mathEqual(gold, predicted) !== expected);
  assertEquals(wrong.map(([gold, predicted, expected]) => `${gold} vs ${predicted}: ${expected}`), []);
});

Deno.test("residues, named angles and degrees Celsius read as their value", () => {
  assertEquals(mathEqual("3", "\\boxed{n \\equiv 3 \\pmod{7}}"), true);
  assertEquals(mathEqual("3", "\\boxed{n \\equiv 4 \\pmod{7}}"), false);
  assertEquals(mathEqual("30", "\\angle ABC = 30^\\circ"), true);
  assertEquals(mathEqual("30", "\\angle ABC = 60^\\circ"), false);
  assertEquals(mathEqual("5", "\\boxed{5^{\\circ}\\text{C}}"), true);
});

// Issue #36: what a text says of a value decides whether it is the answer. Each category beside its negative twin:
// [category, gold, response, equal?].
const HEDGES: [string, string, string, boolean][] = [
  ["negated", "5", "The answer is not 5.", false],
  ["negated", "5", "The answer is 5, not 6.", true],
  ["negated", "5", "the answer cannot be 5", false],
  ["negated", "5", "So x isn't 5.", false],
  ["negated", "4", "The value is not equal to 4.", false],
  ["negated", "4", "The value is equal to 4.", true],
  ["negated", "7", "It is never 7.", false],
  ["negated", "7", "It is always 7.", true],
  ["negated", "5", "so x ≠ 5", false],
  ["negated", "5", "so x = 5", true],
  ["negated", "5", "The answer is not \\boxed{5}.", false],
  ["negated", "5", "The answer is \\boxed{5}.", true],
  ["negated", "6", "x = 3, not 6", false],
  ["negated", "3", "x = 3, not 6", true],
  ["between", "6", "5 or 6", false],
  ["between", "\\{5, 6\\}", "5 or 6", true],
  ["between", "6", "It is either 5 or 6.", false],
  ["between", "12", "The answer is between 10 and 12.", false],
  ["between", "12", "The answer is 12.", true],
  ["between", "12", "somewhere around 12", false],
  ["between", "12", "The total is about 12.", false],
  ["between", "12", "It is roughly $12$.", false],
  ["between", "12", "It is $12$.", true],
  ["between", "\\{12, 13\\}", "It lies between \\boxed{12 \\text{ and } 13}.", true],
  ["bound", "12", "at least 12", false],
  ["bound", "12", "12", true],
  ["bound", "5", "at most 5 apples", false],
  ["bound", "5", "5 apples", true],
  ["bound", "8", "She needs more than 8 cups.", false],
  ["bound", "8", "She needs 8 cups.", true],
  ["bound", "3", "There are less than 3 left.", false],
  ["bound", "3", "There are no more than 3 left.", false],
  ["bound", "10", "up to 10 people", false],
  ["bound", "10", "So x > 10.", false],
  ["bound", "12", "It takes at least $12$ steps.", false],
  ["bound", "12", "It takes $12$ steps.", true],
  ["bound", "12", "It takes at least \\boxed{12} steps.", false],
  ["bound", "5", "so $x \\geq \\boxed{5}$", false],
  ["bound", "143", "<think>so 143</think> \\boxed{143}", true],
  ["one of many", "1", "Possible values: 1, 2, 3, 4, 5", false],
  ["one of many", "1, 2, 3, 4, 5", "Possible values: 1, 2, 3, 4, 5", true],
  ["one of many", "3", "The candidates are 1, 2 and 3.", false],
  ["one of many", "\\{1,2,3\\}", "The candidates are 1, 2 and 3.", true],
  ["discarded", "5", "x = -2, since x = 5 is extraneous", false],
  ["discarded", "-2", "x = -2, since x = 5 is extraneous", true],
  ["discarded", "-2", "x = 5; x = -2 is rejected.", false],
  ["discarded", "5", "x = 5; x = -2 is rejected.", true],
  ["discarded", "4", "We reject x = 4, so x = 9.", false],
  ["discarded", "9", "We reject x = 4, so x = 9.", true],
  ["discarded", "4", "x = 9. We discard x = 4.", false],
  ["discarded", "9", "x = 9. We discard x = 4.", true],
  ["discarded", "4", "So $x = 9$ and $x = 4$ is invalid.", false],
  ["discarded", "2", "The root x = 2 does not work.", false],
  ["another quantity", "10", "She has 3 apples left from the 10 she bought", false],
  ["another quantity", "3", "She has 3 apples left from the 10 she bought", true],
  ["another quantity", "30", "It takes 2 hours and 30 minutes", false],
  ["another quantity", "30", "It takes 30 minutes", true],
  ["another quantity", "3", "He is 5 feet 3 inches tall.", false],
  ["another quantity", "28\\%", "for a total loss of $\\boxed{28\\%}$.", true],
  ["words", "-5", "negative 5", true],
  ["words", "5", "negative 5", false],
  ["words", "-3", "The answer is minus 3.", true],
  ["words", "5", "The answer is five.", true],
  ["words", "6", "The answer is five.", false],
  ["words", "12", "\\boxed{twelve}", true],
  ["words", "21", "The final answer is twenty-one.", true],
  ["words", "-4", "The answer is negative four.", true],
  ["words", "7", "10 minus 3 = 7", true],
  ["yes/no", "No", "\\boxed{No}", true],
  ["yes/no", "Yes", "\\boxed{No}", false],
  ["yes/no", "No", "The answer is No.", true],
  ["yes/no", "No", "\\boxed{on}", false],
  ["yes/no", "No", "\\boxed{N \\cdot o}", false],
  ["comparison unit", "5", "\\boxed{5 \\text{ fewer}}", false],
  ["comparison unit", "5", "\\boxed{5 \\text{ apples}}", true],
  ["side by side", "12", "\\boxed{3 4}", false],
  ["side by side", "34", "\\boxed{3 4}", false],
  ["side by side", "12", "\\boxed{3 \\cdot 4}", true],
  ["negated", "5", "It can't be 5.", false],
  ["negated", "5", "5 is not the answer.", false],
  ["negated", "5", "I don't think it's 5", false],
  ["negated", "5", "x does not equal 5", false],
  ["negated", "5", "x does equal 5", true],
  ["negated", "7", "it is not 5 but 7", true],
  ["negated", "13", "The answer is \\boxed{12}, not 13.", false],
  ["between", "12", "anywhere from 10 to 12", false],
  ["between", "12", "10 to 12", false],
  ["between", "12", "10-12 apples", false],
  ["between", "6", "5 or maybe 6", false],
  ["between", "6", "The answer is probably 6.", false],
  ["between", "6", "6 or so", false],
  ["bound", "6", "6 or more", false],
  ["bound", "6", "6 at least", false],
  ["bound", "6", "6+", false],
  ["bound", "6", "a minimum of 6", false],
  ["bound", "6", "6 and up", false],
  ["bound", "6", "as many as 6", false],
  ["bound", "6", "no fewer than 6", false],
  ["bound", "5", "The maximum value is 5.", true],
  ["discarded", "5", "x = 5, which we reject", false],
  ["discarded", "5", "x = 5 must be rejected", false],
  ["discarded", "5", "x = 5 (extraneous)", false],
  ["another quantity", "50", "10% of 50", false],
  ["another quantity", "5", "10% of 50 is 5", true],
  ["another quantity", "12", "She gave 4 of her 12 marbles away.", false],
  ["another quantity", "4", "She gave 4 of her 12 marbles away.", true],
  ["another quantity", "20", "1 hour 20 minutes", false],
  ["another quantity", "5", "It is 3 times 5.", false],
  ["another quantity", "15", "3 times 5 is 15", true],
  ["words", "-5", "The answer is negative five.", true],
  ["words", "0", "zero", true],
  ["yes/no", "Yes", "\\boxed{\\text{Yes}}", true],
  ["yes/no", "No", "Yes", false],
  ["floor and ceiling", "\\lfloor x\\rfloor", "\\lceil x\\rceil-1", false],
  ["floor and ceiling", "\\lfloor x \\rfloor + 1", "\\lceil x \\rceil", false],
  ["floor and ceiling", "\\lceil x\\rceil", "-\\lfloor -x\\rfloor", true],
];

Deno.test("extraction never rewards a hedge: negated, ranged, bounded, listed, discarded, another quantity's", () => {
  const wrong = HEDGES.filter(([, gold, response, expected]) => mathEqual(gold, response) !== expected);
  assertEquals(
    wrong.map(([category, gold, response, expected]) => `[${category}] ${gold} vs ${response}: ${expected}`),
    [],
  );
  for (const category of new Set(HEDGES.map(([c]) => c))) {
    const verdicts = new Set(HEDGES.filter(([c]) => c === category).map(([, , , e]) => e));
    assertEquals(verdicts.size, 2, category);
  }
});

Deno.test("1 MB of adversarial text gets a verdict within a second, as response and as gold", () => {
  const MB = 1_000_000;
  const fill = (unit: string, n = MB) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
  const inputs: Record<string, string> = {
    "two boxes across 200 KB of spaces": fill("x ", MB - 200_020) + "\\boxed{1}" + " ".repeat(200_000) + "\\boxed{2}",
    "two open boxes across 200 KB of spaces": fill("a ", MB - 200_020) + "\\boxed{" + " ".repeat(200_000) + "\\boxed{",
    "joined boxes": fill("\\boxed{1}, "),
    "unclosed boxes": fill("\\boxed{"),
    "anchors": fill("the answer is "),
    "final-answer anchors with spaces": fill("The final answer is " + " ".repeat(290)),
    "GSM8K anchors": fill("#### "),
    "digits": fill("1"),
    "a list of numbers": fill("1, "),
    "nested braces": "\\boxed" + "{".repeat(MB / 2) + "}".repeat(MB / 2),
    "nested parentheses": "(".repeat(MB / 2) + "1" + ")".repeat(MB / 2),
    "dollars across lines": fill("$\n"),
    "inline openers": fill("\\("),
    "hedges": fill("not at least between 5 or "),
    "environment chains": fill("$1$, and "),
  };
  for (const [name, text] of Object.entries(inputs)) {
    for (const [gold, predicted] of [["5", text], [text, "5"]]) {
      const started = performance.now();
      mathEqual(gold, predicted);
      const ms = performance.now() - started;
      assert(ms < 1000, `${name} (${gold === "5" ? "response" : "gold"}) took ${ms.toFixed(0)} ms`);
    }
  }
});

// Math-Verify's conventions, each beside its negative twin: [category, gold, prediction, equal?, precision].
const CONVENTIONS: [string, string, string, boolean, number?][] = [
  ["labelled gold", "|AB|=1", "1", true],
  ["labelled gold", "|AB|=1", "2", false],
  ["labelled gold", "\\frac{NO}{BO}=\\frac{1}{\\sqrt{6}}", "\\frac{\\sqrt{6}}{6}", true],
  ["labelled gold", "\\frac{NO}{BO}=\\frac{1}{\\sqrt{6}}", "\\sqrt{6}", false],
  ["labelled gold", "A:B=1", "1", true],
  ["labelled gold", "p=5,q=2;p=7,q=2", "(5,2),(7,2)", true],
  ["labelled gold", "p=5,q=2;p=7,q=2", "(5,2),(2,7)", false],
  ["labelled gold", "p=5,q=2;p=7,q=2", "(5,2)", false],
  ["ratio", "S_{MBCN}:S=7:32", "\\boxed{7:32}", true],
  ["ratio", "S_{MBCN}:S=7:32", "\\boxed{32:7}", false],
  ["ratio", "S_{MBCN}:S=7:32", "\\boxed{\\frac{7}{32}}", false],
  ["ratio", "12:00", "1:00", false],
  ["tuples", "(0;-2;6),(4;0;0)", "(4, 0, 0), (0, -2, 6)", true],
  ["tuples", "(0;-2;6),(4;0;0)", "(4, 0, 0), (0, 2, 6)", false],
  ["tuples", "(11,7)or(7,11)", "\\boxed{(7,11),\\ (11,7)}", true],
  ["tuples", "(11,7)or(7,11)", "\\boxed{(7,11)}", false],
  ["several boxes", "\\boxed{1} papers and \\boxed{2} bins", "\\boxed{1, 2}", true],
  ["several boxes", "\\boxed{1} no no no \\boxed{2}", "\\boxed{1, 2}", false],
  ["several boxes", "1, 2", "\\(\\boxed{1}\\) and \\(\\boxed{2}\\).", true],
  ["several boxes", "2", "\\(\\boxed{1}\\) and \\(\\boxed{2}\\).", false],
  ["several boxes", "2", "\\boxed{1} and not \\boxed{2}", false],
  ["several boxes", "x_1 = 2,\\quadx_2 = 3", "\\boxed{2} \\quad\\text{and}\\quad \\boxed{3}", true],
  ["decimal comma", "1000.99", "1000,99", true],
  ["decimal comma", "1000.99", "1000,98", false],
  ["separators", "14916", "The final answer is $14 {, }916$.", true],
  ["separators", "14916", "The final answer is $14 {, }917$.", false],
  ["precision", "4.123105625617661", "\\sqrt{17}", true, 5],
  ["precision", "4.123105625617661", "\\sqrt{18}", false, 5],
  [
    "precision",
    "\\begin{pmatrix}\\frac{1}{3}\\\\ \\frac{1}{5} \\end{pmatrix}",
    "\\begin{pmatrix}0.33\\\\0.2 \\end{pmatrix}",
    true,
    2,
  ],
  [
    "precision",
    "\\begin{pmatrix}\\frac{1}{3}\\\\ \\frac{1}{5} \\end{pmatrix}",
    "\\begin{pmatrix}0.33\\\\0.2 \\end{pmatrix}",
    false,
  ],
  [
    "precision",
    "\\begin{pmatrix}\\frac{1}{3}\\\\ \\frac{1}{5} \\end{pmatrix}",
    "\\begin{pmatrix}0.34\\\\0.2 \\end{pmatrix}",
    false,
    2,
  ],
  [
    "escaped twice",
    "\\left(\\frac{1}{5},\\frac{1}{6}\\right)",
    "\\\\boxed{\\\\left(\\\\frac{1}{5},\\\\frac{1}{6}\\\\right)}",
    true,
  ],
  [
    "escaped twice",
    "\\left(\\frac{1}{5},\\frac{1}{6}\\right)",
    "\\\\boxed{\\\\left(\\\\frac{1}{6},\\\\frac{1}{5}\\\\right)}",
    false,
  ],
  [
    "text",
    "$$\\text{The midpoints form a regular hexagon}$$",
    "$$\\text{The midpoints form a regular hexagon}$$",
    true,
  ],
  [
    "text",
    "$$\\text{The midpoints form a regular hexagon}$$",
    "$$\\text{The midpoints form a regular pentagon}$$",
    false,
  ],
  ["inline across lines", "9", "Answer \\( \n 9 \n \\)", false],
  ["inline across lines", "9", "Answer \\( 9 \\)", true],
];

Deno.test("Math-Verify's conventions: labelled golds, ratios, several boxes, decimal commas, precision", () => {
  const wrong = CONVENTIONS.filter(([, gold, predicted, expected, precision]) =>
    mathEqual(gold, predicted, { precision }) !== expected
  );
  assertEquals(
    wrong.map(([category, gold, predicted, expected]) => `[${category}] ${gold} vs ${predicted}: ${expected}`),
    [],
  );
  for (const category of new Set(CONVENTIONS.map(([c]) => c))) {
    const verdicts = new Set(CONVENTIONS.filter(([c]) => c === category).map(([, , , e]) => e));
    assertEquals(verdicts.size, 2, category);
  }
});
