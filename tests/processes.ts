/**
 * The processes a test started, and only those, read from /proc (no procps needed). A test looks at its own
 * descendants, never at every process on the machine: a researcher's own Jupyter, another checkout's tests or a
 * concurrent `deno task verify` are not its business.
 */

/** A process as a test notes it: the pid and the start time (together they name it; a pid alone can be reused). */
export interface Started {
  pid: number;
  /** /proc/<pid>/stat's start time (clock ticks after boot). */
  start: string;
  cmdline: string;
}

/** State, parent and start time of `pid` from /proc/<pid>/stat; null once it is gone. */
function stat(pid: number): { state: string; ppid: number; start: string } | null {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name, in parentheses, may hold spaces and parentheses: the fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0], ppid: Number(fields[1]), start: fields[19] };
  } catch {
    return null; // gone meanwhile
  }
}

/**
 * The live processes descended from `root` (its children, theirs, and so on) whose command line satisfies `match`.
 * A process whose parent dies is handed to init and is nobody's descendant any more: note them while their parents
 * live, and ask {@link running} about the notes later.
 */
export function descendants(root: number, match: (cmdline: string) => boolean = () => true): Started[] {
  const parents = new Map<number, { ppid: number; start: string; state: string }>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const s = stat(Number(entry.name));
    if (s) parents.set(Number(entry.name), s);
  }
  const out: Started[] = [];
  for (const [pid, s] of parents) {
    if (pid === root || s.state === "Z") continue;
    let up = s.ppid;
    for (let depth = 0; up !== root && up > 1 && depth < 64; depth++) up = parents.get(up)?.ppid ?? 0;
    if (up !== root) continue;
    let cmdline: string;
    try {
      cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    } catch {
      continue; // gone meanwhile
    }
    if (match(cmdline)) out.push({ pid, start: s.start, cmdline });
  }
  return out;
}

/** Whether a noted process still runs: its pid with the same start time, and not a zombie (dead, not yet reaped). */
export function running(process: Started): boolean {
  const s = stat(process.pid);
  return s !== null && s.start === process.start && s.state !== "Z";
}
