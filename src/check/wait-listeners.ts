import { setTimeout as sleep } from "node:timers/promises";
import type { Expectation } from "../core/check-file/expectations.js";
import type { ListeningPorts } from "../probes/listening-ports.js";

/** A port of a checked container that an expectation probes: `db:5432` (TCP) or `dns:53/udp`. */
export interface Listener {
  name: string;
  port: number;
  protocol: "tcp" | "udp";
  /** How long to wait for it: the longest `within` of the expectations probing it, or the default. */
  waitMs: number;
}

/** How long `--up` waits for a port an expectation probes without a `within`. */
export const DEFAULT_LISTEN_WAIT_MS = 30_000;

const SKIPPED = new Set(["id", "name", "source", "from", "matrix", "expected"]);

function nameAndPort(value: unknown): { name: string; port: number; protocol?: unknown } | undefined {
  const candidate = value as { kind?: unknown; name?: unknown; port?: unknown; protocol?: unknown } | null;
  return typeof candidate === "object" &&
    candidate !== null &&
    candidate.kind === "name" &&
    typeof candidate.name === "string" &&
    typeof candidate.port === "number"
    ? (candidate as { name: string; port: number; protocol?: unknown })
    : undefined;
}

/**
 * Every container port the expectations probe, read generically: any field of an expectation holding a
 * `{ kind: "name", name, port }` target (reach, matrix cells, http, and kinds added later in the same shape);
 * `protocol: "udp"` on the target (`NAME:PORT/udp`) makes it a UDP port.
 */
export function listenersProbed(expectations: readonly Expectation[], defaultMs = DEFAULT_LISTEN_WAIT_MS): Listener[] {
  const byKey = new Map<string, Listener>();
  for (const expectation of expectations) {
    const fields = expectation as unknown as Record<string, unknown>;
    // Nothing is meant to listen where a refusal is what the spec expects: no wait there.
    if ((fields.expected as { outcome?: unknown } | undefined)?.outcome === "refused") continue;
    for (const [key, value] of Object.entries(fields)) {
      const target = SKIPPED.has(key) ? undefined : nameAndPort(value);
      if (!target) continue;
      const protocol = target.protocol === "udp" ? "udp" : "tcp";
      const waitMs = expectation.withinMs > 0 ? expectation.withinMs : defaultMs;
      const listenerKey = `${target.name}:${target.port}/${protocol}`;
      const known = byKey.get(listenerKey);
      if (!known || known.waitMs < waitMs)
        byKey.set(listenerKey, { name: target.name, port: target.port, protocol, waitMs });
    }
  }
  return [...byKey.values()];
}

export function listenerText(listener: Pick<Listener, "name" | "port" | "protocol">): string {
  return `${listener.name}:${listener.port}${listener.protocol === "udp" ? "/udp" : ""}`;
}

export interface ListenWait {
  waitedMs: number;
  listening: Listener[];
  /** Ports that did not listen within their wait: the check judges them as they are. */
  never: Listener[];
  /** How long each listening port took to listen, by listener: one slow port does not make every port's wait. */
  listenedAfterMs?: ReadonlyMap<Listener, number>;
}

/**
 * Polls what each container listens on until every port listens or its wait runs out; never throws for a port
 * that does not come up (the expectation then fails on its own words). `read` gives a container's sockets.
 */
export async function waitForListeners(
  listeners: readonly Listener[],
  read: (name: string) => Promise<ListeningPorts>,
  options: { pollMs?: number } = {},
): Promise<ListenWait> {
  const started = Date.now();
  const pending = new Set(listeners);
  const listening: Listener[] = [];
  const listenedAfterMs = new Map<Listener, number>();
  for (;;) {
    const names = [...new Set([...pending].map((listener) => listener.name))];
    // A container that cannot be read (it exited) has nothing listening: its expectations say the rest.
    const sockets = new Map(
      await Promise.all(names.map(async (name) => [name, await read(name).catch(() => undefined)] as const)),
    );
    for (const listener of pending) {
      if (sockets.get(listener.name)?.[listener.protocol].has(listener.port)) {
        pending.delete(listener);
        listening.push(listener);
        listenedAfterMs.set(listener, Date.now() - started);
      }
    }
    const elapsed = Date.now() - started;
    for (const listener of pending) if (elapsed >= listener.waitMs) pending.delete(listener);
    if (pending.size === 0) break;
    await sleep(options.pollMs ?? 250);
  }
  // In the spec's order: two names of one container are read apart and may be seen listening a poll apart.
  return {
    waitedMs: Date.now() - started,
    listening: listeners.filter((listener) => listening.includes(listener)),
    never: listeners.filter((listener) => !listening.includes(listener)),
    listenedAfterMs,
  };
}

const secondsText = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * `waited 6.1 s: db:5432 listened after 6.0 s, api:9000 after 0.3 s`, and which never did within its own
 * wait: each port's own time, so one that never listens does not read as everyone's wait.
 */
export function waitLine(wait: ListenWait): string {
  const after = wait.listenedAfterMs;
  const listened = wait.listening.map((listener, index) => {
    const ms = after?.get(listener);
    const time = ms === undefined ? "" : ` ${index === 0 ? "listened after" : "after"} ${secondsText(ms)}`;
    return `${listenerText(listener)}${time}`;
  });
  const listenedText = listened.length === 0 ? "" : after ? listened.join(", ") : `${listened.join(", ")} listened`;
  const never =
    wait.never.length > 0
      ? `${wait.never.map((listener) => `${listenerText(listener)} never listened within ${secondsText(listener.waitMs)}`).join(", ")} (checked as they are)`
      : "";
  return `waited ${secondsText(wait.waitedMs)}: ${[listenedText, never].filter(Boolean).join("; ")}`;
}
