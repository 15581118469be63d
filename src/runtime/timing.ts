import { appendFileSync } from "node:fs";

/**
 * `NETLAB_TIMING=<file>`: where a run's time goes, for `npm run bench`. Each mark is one JSON line appended to
 * the file: the wall-clock time in ms (performance.timeOrigin + now, comparable across processes), the pid and
 * what happened. Unset (always, outside the bench), a mark costs one property read.
 */
const FILE = process.env.NETLAB_TIMING;

export type TimingEvent =
  | "main:ready"
  | "global-setup:start"
  | "global-setup:end"
  | "global-teardown:start"
  | "global-teardown:end"
  | "worker:ready"
  | "lab:imported"
  | "lab:fixture"
  | "lab:dispose-start"
  | "lab:dispose-end"
  | "reports:start"
  | "reports:end";

export type TimedWork = "container-start" | "exec" | "lock-wait";

const now = () => performance.timeOrigin + performance.now();

function write(record: Record<string, unknown>): void {
  if (FILE) appendFileSync(FILE, `${JSON.stringify({ pid: process.pid, ...record })}\n`);
}

/** A point in the run. */
export function mark(event: TimingEvent, detail?: string): void {
  if (FILE)
    write({ t: now(), event, rssMiB: Math.round(process.memoryUsage.rss() / 1048576), ...(detail ? { detail } : {}) });
}

/** A stretch of work (a container start, an exec, a wait for a lock): its start and end, written when it ends. */
export async function timed<T>(kind: TimedWork, detail: string, work: () => Promise<T>): Promise<T> {
  if (!FILE) return work();
  const start = now();
  try {
    return await work();
  } finally {
    write({ t: start, end: now(), kind, detail });
  }
}
