/**
 * A dynamic-provider process ends with the engine that started it.
 *
 * The engine starts `pulumi-resource-pulumi-nodejs`, a shell script that runs Node's provider host
 * as its child. When the engine is killed (SIGKILL, an OOM kill, a CI runner cancelled), nothing
 * stops that host: it finishes whatever it was doing, a population sweep included, then idles
 * forever, and a second `pulumi up` started for recovery sweeps beside it. Node has no
 * PR_SET_PDEATHSIG, so the host watches instead: its parent changing, or its parent's own parent
 * (the engine, behind the shell) changing. Linux says who the grandparent is in /proc; elsewhere
 * only the parent is watched.
 */
import fs from "node:fs";

/** How often the process tree is looked at: an orphaned host stops within about this long. */
const ENGINE_CHECK_INTERVAL_MS = 250;

/**
 * Calls `onGone` once, with the reason, when the process that started this one (or the one that
 * started its parent) exits. The timer does not keep the process alive; returns a function that
 * stops watching. A process whose parent is already PID 1 has nothing to follow.
 */
export function watchEngine(onGone: (reason: string) => void, intervalMs = ENGINE_CHECK_INTERVAL_MS): () => void {
  const parent = process.ppid;
  const grandparent = parent > 1 ? parentOf(parent) : undefined;
  const timer = setInterval(() => {
    if (parent <= 1) return;
    if (process.ppid !== parent) gone(`its parent process ${parent} exited`);
    else if (grandparent !== undefined && grandparent > 1 && parentOf(parent) !== grandparent)
      gone(`the process ${grandparent} that started its parent exited`);
  }, intervalMs);
  timer.unref();
  const stop = (): void => clearInterval(timer);
  function gone(reason: string): void {
    stop();
    onGone(reason);
  }
  return stop;
}

/** The parent pid of `pid` from /proc (Linux), or undefined where /proc is absent or `pid` is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" ? undefined : Number(fields[1]);
  } catch {
    return undefined;
  }
}
