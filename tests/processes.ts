/** Pids of processes other than this one whose command line satisfies `match` (read from /proc: no procps needed). */
export function processIds(match: (cmdline: string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
    try {
      if (match(Deno.readTextFileSync(`/proc/${entry.name}/cmdline`))) pids.push(Number(entry.name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
