/**
 * The Guide research kit: the public API that notebooks, tasks and users import.
 *
 * @example
 * ```ts
 * import { passAtK, show, tf, useBackend } from "./mod.ts";
 * await useBackend("wasm");
 * console.log(tf.tensor([1, 2]).sum().dataSync()[0], passAtK(16, 1, 8));
 * await show({ data: [{ type: "bar", x: ["pass@1"], y: [0.5] }] });
 * ```
 *
 * @module
 */

// Notebook display: Plotly figures and live progress.
export {
  inJupyter,
  type Progress,
  progress,
  type ProgressOptions,
  show,
  showMarkdown,
  type ShowOptions,
} from "./display.ts";

// The policy: backends, tokenizer, transformer, sampling, scoring, training, checkpoints, all cores.
export {
  type BackendInfo,
  type BackendName,
  BACKENDS,
  currentBackend,
  describeBackend,
  selectBackend,
  tf,
  useBackend,
} from "./policy/backend.ts";
export { nativeKernelsActive, useNativeKernels } from "./policy/native.ts";
export { SPECIAL, Tokenizer } from "./policy/tokenizer.ts";
export { DEFAULT_MODEL, type ModelConfig, parameterCount } from "./policy/model.ts";
export { type Completion, type SampleOptions } from "./policy/sample.ts";
export {
  type ContextInput,
  type Gradients,
  Policy,
  type Sampler,
  type Scores,
  type ScoreTensors,
  type StepStats,
  type TrainSpec,
} from "./policy/policy.ts";
export { type AdamWConfig, DEFAULT_ADAMW, DivergenceError } from "./policy/optimizer.ts";
export { CheckpointError, checkpointExtra, loadCheckpoint, saveCheckpoint } from "./policy/checkpoint.ts";
export { PolicyPool, type PoolOptions } from "./policy/pool.ts";
export { type LossFunction, type LossParams, type LossRegistry, type TokenData } from "./policy/train_spec.ts";

// Verifiers: math, choice, code sandbox, chain, program, one verify() by domain.
export { type CodeGold, extractCode, type SandboxLimits, verifyCode } from "./verifiers/code.ts";
export type { Verdict } from "./verifiers/verdict.ts";
export {
  type Domain,
  DOMAINS,
  extractChoice,
  extractMathAnswer,
  mathEqual,
  verifierOf,
  verify,
  verifyChoice,
  verifyGroup,
  verifyMath,
} from "./verifiers/mod.ts";
export { type ProgramGold, verifyProgram } from "./verifiers/program.ts";

// Data: the problem schema, the generators, loading, external sets.
export {
  checkProblem,
  DatasetError,
  HINT_STYLES,
  type HintStyle,
  parseProblems,
  type Problem,
  readProblems,
} from "./data/schema.ts";
export {
  DATASET_DOMAINS,
  DATASET_VERIFIERS,
  DOMAIN_SPECS,
  type DomainSpec,
  domainSpec,
  partialSolution,
  solutionSteps,
  verifierDomain,
} from "./data/domains.ts";
export { generateDomain, TIERS, writeDatasets } from "./data/generate.ts";
export { DATASETS_DIR, loadProblems } from "./data/load.ts";
export { fromGsm8k, fromMath } from "./data/loaders.ts";
export { physicsProblem, physicsSolution } from "./data/physics.ts";
export { powersProblem, powersSolution } from "./data/powers.ts";
export { PROGRAM_PARAMS, programAlternative, programProblem, programSolution } from "./data/programs.ts";

// RL: the pure core, Guide's difference, rollout, step building, the trainer, runs, SFT.
export * as core from "./rl/core.ts";
export * as guide from "./rl/guide.ts";
export {
  LOSS_REGISTRY,
  lossByName,
  LOSSES,
  nllLoss,
  rlLoss,
  type RlLossParams,
  rlParams,
  type RlTokenRows,
  tokenLoss,
} from "./rl/loss.ts";
export { collectGroups, type RolloutSettings, type RolloutStats } from "./rl/rollout.ts";
export {
  buildTrainSpec,
  miniBatches,
  type RlTrainSpec,
  rlTrainSpec,
  type RolloutGroup,
  type RolloutSample,
  rowGammas,
  type StepConfig,
  stepNormaliser,
  type StepRows,
  stepRows,
  withRowGammas,
} from "./rl/batch.ts";
export { createTrainer, rolloutSettings, type Trainer, TRAINER_ALGORITHMS, type TrainerOptions } from "./rl/trainer.ts";
export {
  GUIDANCE_METHODS,
  type GuidanceMethod,
  guidanceMethod,
  type GuidedProblem,
  type GuidedRole,
} from "./rl/methods.ts";
export { informative } from "./rl/core.ts";
export { luffy, LUFFY_GAMMA } from "./rl/luffy.ts";
export { nurl } from "./rl/nurl.ts";
export { rationalization } from "./rl/rationalization.ts";
export { questa, questaShare } from "./rl/questa.ts";
export { SCAF_EXEMPTION, SCAF_SOLUTION_SHARE, scafGrpo } from "./rl/scaf.ts";
export { hintedDiagnostics, RATIO_BINS, type ReportedGroup, type Spread, type StepReport } from "./rl/step_report.ts";
export { type EvaluateOptions, evaluatePolicy, type Evaluation, evaluationProblems } from "./rl/evaluate.ts";
export { type EvaluationRecord, evaluationRecord, type RunOptions, type RunResult, runTraining } from "./rl/run.ts";
export { sft, type SftReport, type SftSettings, sftSettings } from "./rl/sft.ts";

// Analysis: pass@k and where RL's gains come from.
export { passAtK } from "./metrics/passk.ts";
export {
  analysePassk,
  type Counts,
  type GainSplit,
  gainSplit,
  matchProblems,
  passAtKCurve,
  type PasskAnalysis,
  type ProblemMatch,
} from "./metrics/gains.ts";
export { readSamples } from "./metrics/samples.ts";

// Run configuration.
export { ConfigError, loadConfig, parseConfig, resolve as resolveConfig, toYaml } from "./config/validate.ts";
export {
  ALGORITHMS,
  curveTiersOf,
  loadRunConfig,
  parseRunConfig,
  RUN_SCHEMA,
  type RunConfig,
  tiersOf,
} from "./config/schema.ts";

// Ablations: grids, the runner and its run store, the summary and the figures, Slurm export.
export {
  basePath,
  EXAMPLE_GRIDS,
  type Grid,
  type GridRun,
  loadGrid,
  MAIN_GRID,
  parseGrid,
  QUICK_GRID,
  runId,
  SUMMARY_SCHEMA,
} from "./ablation/grid.ts";
export { type AblationOptions, type AblationResult, runAblation, runAblationFile } from "./ablation/runner.ts";
export { buildBase, collectReport, domainTokenizer, evaluateBase, runOne, writeResults } from "./ablation/jobs.ts";
export { type AblationProgress, progressHead } from "./ablation/progress.ts";
export {
  baseDir,
  readBaseCurve,
  readBaseEval,
  readBaseEvals,
  readRun,
  runDir,
  type RunResults,
} from "./ablation/store.ts";
export {
  type AblationReport,
  ablationReport,
  BASE_LABEL,
  OVERALL_TIERS,
  type RunValues,
  type SummaryRow,
  type Variant,
  variantsOf,
} from "./ablation/report.ts";
export {
  adjust,
  type AdjustMethod,
  compare,
  type CompareOptions,
  type CurvePoint,
  type Difference,
  type MeanCi,
  meanCi,
  meanHeight,
  type TestMethod,
  tQuantile95,
} from "./ablation/statistics.ts";
export {
  type Call,
  type Comparison,
  comparisons,
  decide,
  type Verdict as AblationVerdict,
  verdict,
  verdictMarkdown,
} from "./ablation/verdict.ts";
export { runsCsv, summaryCsv, summaryMarkdown } from "./ablation/summary.ts";
export {
  crossDomainFindings,
  crossDomainMarkdown,
  type DomainMissing,
  type DomainResults,
  domainTiers,
  FINDINGS,
  type FindingStatus,
} from "./ablation/domains.ts";
export { type SlurmOptions, slurmScripts } from "./ablation/slurm.ts";
export {
  calibrate,
  type CalibrateOptions,
  calibrationMarkdown,
  type Regime,
  regime,
  type RegimeThresholds,
  type TierCalibration,
} from "./ablation/calibrate.ts";
export {
  CI_GRID,
  notebookAblation,
  notebookBase,
  notebookDomain,
  notebookGrid,
  notebookOut,
  profile,
} from "./ablation/profile.ts";
export {
  ablationFigures,
  bandTraces,
  baseLayout,
  gainSplitFigure,
  gammaFigure,
  hintedFractionFigure,
  hintedRatioFigure,
  learningFigure,
  PALETTE,
  passkFigure,
  probabilityRange,
  seedsText,
  variantMarker,
} from "./ablation/plots.ts";

// Figures and files.
export { type Figure, figureTitle } from "./plot/figure.ts";
export {
  exportFigures,
  type ExportFormat,
  type ExportOptions,
  type ExportResult,
  figureHtml,
  FigureRenderer,
  type ImageFormat,
  parseFormats,
} from "./plot/export.ts";
export { findChromium } from "./plot/chromium.ts";
export { exists, readJsonLines, writeFileAtomic, writeTextFileAtomic } from "./io.ts";
