// Going with the process that started us. `npm run emulator` starts `sh -c "node …/cli.js"`: when
// npm is killed, or the shell is, the emulator is re-parented (to PID 1 or a subreaper) and would
// run on forever, holding its port. Node has no PR_SET_PDEATHSIG, so we watch instead: the parent
// changing, the parent's own parent going (npm killed while the shell lives on), or an IPC channel
// closing.

import * as fs from "node:fs";

/** How often the parent is checked; a re-parented emulator exits within about this long. */
export const PARENT_CHECK_INTERVAL_MS = 500;

/**
 * Calls `onGone` once with the reason when the process that started this one exits: our parent
 * pid changes, the parent's parent exits (Linux, where /proc says who it is), or the IPC channel to
 * a parent that forked us disconnects. Returns a function that stops watching. The timer does not
 * keep the process alive. A process whose parent is already PID 1 has no parent to follow.
 */
export function watchParent(onGone: (reason: string) => void, intervalMs = PARENT_CHECK_INTERVAL_MS): () => void {
  const parent = process.ppid;
  const grandparent = parent > 1 ? parentOf(parent) : undefined;
  let done = false;
  const fire = (reason: string): void => {
    if (done) return;
    stop();
    onGone(reason);
  };
  const timer = setInterval(() => {
    if (parent <= 1) return;
    if (process.ppid !== parent) fire(`its parent process ${parent} exited`);
    // The parent (a shell) lives on but was itself orphaned: whoever started the shell is gone.
    else if (grandparent !== undefined && grandparent > 1 && parentOf(parent) !== grandparent)
      fire(`the process ${grandparent} that started its parent exited`);
  }, intervalMs);
  timer.unref();
  const onDisconnect = (): void => fire("its parent closed the IPC channel");
  if (process.channel) process.once("disconnect", onDisconnect);
  function stop(): void {
    done = true;
    clearInterval(timer);
    process.off("disconnect", onDisconnect);
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
