import type Dockerode from "dockerode";

/** The name a target found on the machine's own engine records (`CheckOptions.docker`). */
export const LOCAL_ENGINE = "local";

/** One engine a spec's names may live on: the machine's, or a node's (a swarm's members). */
export interface NamedEngine {
  name: string;
  docker: Dockerode;
}

export class EngineSetError extends Error {
  override name = "EngineSetError";
}

/**
 * Every engine a check searches, the machine's first: the order names are looked up in and engine-state
 * expectations read from when no target says which.
 */
export function engineSet(docker: Dockerode, others: readonly NamedEngine[] = []): NamedEngine[] {
  const set = [{ name: LOCAL_ENGINE, docker }, ...others];
  const names = set.map((engine) => engine.name);
  const twice = names.filter((name, index) => names.indexOf(name) !== index);
  if (twice.length > 0)
    throw new EngineSetError(
      `engine name(s) ${[...new Set(twice)].join(", ")} given twice: each engine needs its own name`,
    );
  return set;
}

/** The engine of that name in the set; a target always names one of them. */
export function engineNamed(set: readonly NamedEngine[], name: string): NamedEngine {
  const found = set.find((engine) => engine.name === name);
  if (!found)
    throw new EngineSetError(`no engine named "${name}" in this check (${set.map((e) => e.name).join(", ")})`);
  return found;
}

/** The docker CLI prefix that reaches an engine by hand: `docker` for the machine's, `docker -H unix://…` for a node's. */
export function dockerCli(engine: NamedEngine): string {
  if (engine.name === LOCAL_ENGINE) return "docker";
  const modem = engine.docker.modem as { socketPath?: string; host?: string; port?: number | string };
  if (modem.socketPath) return `docker -H unix://${modem.socketPath}`;
  return modem.host ? `docker -H tcp://${modem.host}:${modem.port ?? 2375}` : "docker";
}
