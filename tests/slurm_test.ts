// The Slurm export on a real scheduler: a one-node Slurm (munge, slurmctld, slurmd on localhost, two CPUs) started
// in a temp folder, the toy grid exported with `--slurm`, submitted with its own submit.sh, and compared with a
// local run of the same grid. Skipped, with one line saying why, where Slurm is not installed or we are not root.
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { findProgram, SLURM_TOOLS } from "../kernel/setup.ts";
import { parseGrid } from "../lib/ablation/grid.ts";
import { descendants, running } from "./processes.ts";

const FIXTURE = new URL("./fixtures/tiny-grid.yaml", import.meta.url).pathname;
const CLI = new URL("../cli/ablation.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

const missing = SLURM_TOOLS.filter((t) => !findProgram(t));
const skipReason = Deno.uid() !== 0
  ? "not root (slurmd runs jobs as root here)"
  : missing.length > 0
  ? `Slurm is not installed (missing ${missing.join(", ")}; \`deno task setup\` installs it as root on Debian)`
  : null;
if (skipReason) console.error(`slurm_test: skipped: ${skipReason}`);

const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on localhost (asked of the kernel, then released). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** munged, slurmctld and slurmd in the foreground, as this test's children, configured under one folder. */
class OneNodeSlurm {
  private readonly daemons: { name: string; child: Deno.ChildProcess }[] = [];
  constructor(readonly dir: string) {}

  get env(): Record<string, string> {
    return { SLURM_CONF: join(this.dir, "slurm.conf"), NO_COLOR: "1" };
  }

  async start(): Promise<void> {
    const d = this.dir;
    for (const sub of ["munge", "state", "spool"]) await Deno.mkdir(join(d, sub), { recursive: true, mode: 0o700 });
    await Deno.chmod(join(d, "munge"), 0o700);
    await this.command("mungekey", ["--create", "--keyfile", join(d, "munge", "munge.key")]);
    const socket = join(d, "munge", "munge.socket");
    this.spawn("munged", [
      "--foreground",
      "--force",
      `--socket=${socket}`,
      `--key-file=${join(d, "munge", "munge.key")}`,
      `--log-file=${join(d, "munge", "munged.log")}`,
      `--pid-file=${join(d, "munge", "munged.pid")}`,
      `--seed-file=${join(d, "munge", "munged.seed")}`,
    ]);
    await this.until(() => Deno.stat(socket).then(() => true, () => false), "munged's socket", 10);
    const host = Deno.hostname().split(".")[0];
    await Deno.writeTextFile(
      join(d, "slurm.conf"),
      [
        "ClusterName=guidekit",
        `SlurmctldHost=${host}(127.0.0.1)`,
        `SlurmctldPort=${freePort()}`,
        `SlurmdPort=${freePort()}`,
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        `AuthInfo=socket=${socket}`,
        "CredType=cred/munge",
        `StateSaveLocation=${join(d, "state")}`,
        `SlurmdSpoolDir=${join(d, "spool")}`,
        `SlurmctldPidFile=${join(d, "slurmctld.pid")}`,
        `SlurmdPidFile=${join(d, "slurmd.pid")}`,
        `SlurmctldLogFile=${join(d, "slurmctld.log")}`,
        `SlurmdLogFile=${join(d, "slurmd.log")}`,
        // No cgroups, no accounting, no MPI: what a container without systemd can run.
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "SwitchType=switch/none",
        "MpiDefault=none",
        "JobCompType=jobcomp/none",
        "JobAcctGatherType=jobacct_gather/none",
        "AccountingStorageType=accounting_storage/none",
        "SchedulerType=sched/backfill",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_CPU",
        "ReturnToService=2",
        "NodeName=guidenode NodeAddr=127.0.0.1 CPUs=2 RealMemory=2000 State=UNKNOWN",
        "PartitionName=debug Nodes=guidenode Default=YES MaxTime=INFINITE State=UP",
        "",
      ].join("\n"),
    );
    const conf = join(d, "slurm.conf");
    this.spawn("slurmctld", ["-D", "-i", "-f", conf]);
    this.spawn("slurmd", ["-D", "-f", conf, "-N", "guidenode"]);
    await this.until(
      async () => (await this.command("sinfo", ["-h", "-o", "%t"], true)).trim() === "idle",
      "an idle node",
      60,
    );
  }

  private spawn(name: string, args: string[]): void {
    const child = new Deno.Command(findProgram(name)!, { args, env: this.env, stdout: "null", stderr: "null" }).spawn();
    this.daemons.push({ name, child });
  }

  /** Run a Slurm/munge client; its stdout. Throws with stderr when it fails (unless `quiet`: then ""). */
  async command(name: string, args: string[], quiet = false): Promise<string> {
    const out = await new Deno.Command(findProgram(name)!, { args, env: this.env, stdout: "piped", stderr: "piped" })
      .output();
    if (!out.success) {
      if (quiet) return "";
      throw new Error(`${name} ${args.join(" ")}: ${decode(out.stderr).trim()}`);
    }
    return decode(out.stdout);
  }

  /** Does a Slurm client command succeed? */
  async succeeds(name: string, args: string[]): Promise<boolean> {
    const out = await new Deno.Command(findProgram(name)!, { args, env: this.env, stdout: "null", stderr: "null" })
      .output();
    return out.success;
  }

  async until(condition: () => Promise<boolean>, what: string, timeoutS: number): Promise<void> {
    const deadline = performance.now() + timeoutS * 1000;
    while (!(await condition())) {
      for (const { name, child } of this.daemons) {
        const status = await Promise.race([child.status, sleep(0).then(() => null)]);
        if (status) throw new Error(`${name} exited (${status.code}) while waiting for ${what}: see ${this.dir}`);
      }
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what} (logs in ${this.dir})`);
      await sleep(100);
    }
  }

  /** Wait until the queue is empty. */
  drain(timeoutS: number): Promise<void> {
    return this.until(async () => (await this.command("squeue", ["-h"])).trim() === "", "the queue to empty", timeoutS);
  }

  /** Stop every daemon this test started, by pid: TERM, then KILL after 10 s. */
  async stop(): Promise<void> {
    for (const { child } of [...this.daemons].reverse()) {
      try {
        child.kill("SIGTERM");
      } catch {
        continue; // already gone
      }
      const done = await Promise.race([child.status.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        child.kill("SIGKILL");
        await child.status;
      }
    }
  }
}

function ablation(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, CLI, ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
}

/** `guide-slurm: start|end <epoch s>` lines of one job's log. */
async function stamps(file: string): Promise<{ start: number; end: number }> {
  const text = await Deno.readTextFile(file);
  const all = (kind: string) => [...text.matchAll(new RegExp(`guide-slurm: ${kind} (\\d+\\.\\d+)`, "g"))];
  const starts = all("start");
  const ends = all("end");
  assert(starts.length > 0 && ends.length > 0, `${file} has no start/end lines:\n${text}`);
  return { start: Number(starts[starts.length - 1][1]), end: Number(ends[ends.length - 1][1]) };
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

Deno.test({
  name:
    "--slurm on a real one-node Slurm: same runs and numbers as a local run, dependencies held, scancel + resubmit redoes only the cancelled run",
  ignore: skipReason !== null,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const root = await Deno.makeTempDir({ prefix: "guide-slurm-" });
    await Deno.chmod(root, 0o755);
    const slurm = new OneNodeSlurm(join(root, "cluster"));
    const started = performance.now();
    const grid = await parseGrid(await Deno.readTextFile(FIXTURE), FIXTURE);
    const local = join(root, "local");
    const out = join(root, "slurm-store");
    const logs = join(out, "slurm", "logs");
    const submit = () => slurm.command("bash", [join(out, "slurm", "submit.sh")]);
    const victim = grid.runs[1].id;
    const others = grid.runs.filter((r) => r.id !== victim);
    const doneAt = new Map<string, number>();
    let jobs = { base: "", runs: "", results: "" };
    // Each phase builds on the one before: the first that fails ends the test, named.
    const phases: [string, () => Promise<void>][] = [
      ["a one-node Slurm starts; the reference: the same grid run locally", async () => {
        await slurm.start();
        const localRun = await ablation([FIXTURE, "--out", local, "--workers", "2", "--formats", "html"]);
        assert(localRun.success, decode(localRun.stderr));
      }],
      ["export, with a passthrough sbatch option, and submit with the generated script", async () => {
        const exported = await ablation([
          FIXTURE,
          "--slurm",
          "--out",
          out,
          "--formats",
          "html",
          "--slurm-args=--partition=debug --time=0:30:00",
        ]);
        assert(exported.success, decode(exported.stderr));
        assertStringIncludes(await Deno.readTextFile(join(out, "slurm", "runs.sbatch")), "#SBATCH --partition=debug");
        const firstIds = (await submit()).match(/base (\d+), runs (\d+) \(array of (\d+)\), results (\d+)/);
        assert(firstIds, "submit.sh names its jobs");
        const [, base, runs, count, results] = firstIds;
        assertEquals(Number(count), grid.runs.length);
        jobs = { base, runs, results };
      }],
      [
        "scancel cuts task 1's run off, a requeued task resumes, the others go on, the results job still runs",
        async () => {
          const { runs } = jobs;
          // Cancel array task 1 while it runs: its run is cut off, the others go on, the results job still runs.
          await slurm.until(
            async () =>
              (await slurm.command("squeue", ["-h", "-t", "R", "-o", "%i"])).split("\n").includes(`${runs}_1`),
            "array task 1 to run",
            120,
          );
          await slurm.command("scancel", [`${runs}_1`]);
          // A task the scheduler kills and requeues (`--requeue`) comes back by itself and resumes; its log is appended.
          await slurm.until(
            async () =>
              (await slurm.command("squeue", ["-h", "-t", "R", "-o", "%i"])).split("\n").includes(`${runs}_2`),
            "array task 2 to run",
            120,
          );
          await slurm.command("scontrol", ["requeue", `${runs}_2`]);
          // Slurm holds a requeued job back a while (its begin time, once it is pending again); release it now.
          await slurm.until(
            async () => (await slurm.command("squeue", ["-h", "-j", `${runs}_2`, "-o", "%T"])).trim() === "PENDING",
            "the requeued task to be pending",
            60,
          );
          assert(await slurm.succeeds("scontrol", ["update", `JobId=${runs}_2`, "StartTime=now"]));
          await slurm.drain(300);
          const requeuedLog = await Deno.readTextFile(join(out, "slurm", "logs", `run-${runs}_2.out`));
          assertEquals(requeuedLog.match(/guide-slurm: start/g)?.length, 2, requeuedLog);
          assert(await exists(join(out, "runs", grid.runs[2].id, "done.json")), "the requeued task finished its run");
          assert(
            !(await exists(join(out, "runs", victim, "done.json"))),
            `${victim} finished before scancel reached it`,
          );
          for (const r of others) {
            doneAt.set(r.id, (await Deno.stat(join(out, "runs", r.id, "done.json"))).mtime!.getTime());
          }
          assert(
            await exists(join(out, "summary.partial.md")),
            "the results job ran after the cancelled task (afterany)",
          );
        },
      ],
      ["the order the scheduler kept: every run task after the base, the results after every run task", async () => {
        const baseStamps = await stamps(join(logs, `base-${jobs.base}.out`));
        const runStamps = await Promise.all(
          grid.runs.map((_, i) => stamps(join(logs, `run-${jobs.runs}_${i}.out`)).catch(() => null)),
        );
        const ran = runStamps.filter((s) => s !== null) as { start: number; end: number }[];
        assert(ran.every((s) => s.start >= baseStamps.end), "a run task started before the base job ended");
        const resultStamps = await stamps(join(logs, `results-${jobs.results}.out`));
        assert(ran.every((s) => resultStamps.start >= s.end), "the results job started before a run task ended");
      }],
      ["resubmit: the finished base and runs are skipped untouched, the cancelled run is redone", async () => {
        const secondIds = (await submit()).match(/runs (\d+)/)!;
        await slurm.drain(300);
        for (const r of others) {
          assertEquals(
            (await Deno.stat(join(out, "runs", r.id, "done.json"))).mtime!.getTime(),
            doneAt.get(r.id),
            r.id,
          );
          const err = await Deno.readTextFile(join(logs, `run-${secondIds[1]}_${grid.runs.indexOf(r)}.err`));
          assertStringIncludes(err, `${r.id}: already finished`);
        }
        const redone = await Deno.readTextFile(join(logs, `run-${secondIds[1]}_1.err`));
        assertStringIncludes(redone, `${victim}: finished`);
      }],
      ["the same runs and the same numbers as the local run", async () => {
        const ids = (dir: string) => [...Deno.readDirSync(join(dir, "runs"))].map((e) => e.name).sort();
        assertEquals(ids(out), ids(local));
        assertEquals(
          await Deno.readTextFile(join(out, "summary.csv")),
          await Deno.readTextFile(join(local, "summary.csv")),
        );
        assertEquals(
          await Deno.readTextFile(join(out, "summary.md")),
          await Deno.readTextFile(join(local, "summary.md")),
        );
        assert(!(await exists(join(out, "summary.partial.md"))), "the complete summary replaced the partial one");
      }],
    ];
    try {
      for (const [name, phase] of phases) {
        if (!(await t.step(name, phase))) return;
      }
      console.error(
        `slurm_test: toy grid under Slurm, twice (cancel, resubmit): ${
          ((performance.now() - started) / 1000).toFixed(0)
        } s`,
      );
    } finally {
      // The daemons this test started, and whatever they forked, noted while they run: none outlives the test.
      const daemons = descendants(Deno.pid, (cmdline) => cmdline.includes(slurm.dir));
      await slurm.stop();
      assertEquals(daemons.filter(running).map((d) => d.pid), [], "a daemon outlived the test");
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
