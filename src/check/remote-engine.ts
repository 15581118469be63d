import type { Expectation } from "../core/check-file/expectations.js";
import { namespacesIn, readsThisMachine } from "./kinds/registry.js";

/** A spec probes from or to this machine while DOCKER_HOST names an engine on another one: exit 3. */
export class RemoteEngineError extends Error {
  override name = "RemoteEngineError";
}

const THIS_MACHINE = new Set(["host", "outside", "netns"]);

/** Whether an expectation probes from or to this machine (host, the sentinel, a named namespace) or reads its own state. */
function probesThisMachine(expectation: Expectation): boolean {
  const ends = [
    "from" in expectation ? expectation.from : undefined,
    "to" in expectation ? expectation.to : undefined,
  ] as Array<{ kind?: string } | undefined>;
  return (
    ends.some((end) => end?.kind !== undefined && THIS_MACHINE.has(end.kind)) ||
    namespacesIn(expectation).length > 0 ||
    readsThisMachine(expectation)
  );
}

/**
 * With an engine on another machine (DOCKER_HOST tcp:// or ssh://), what runs here (host probes, the sentinel,
 * named namespaces, the host's bridges) says nothing of the engine's containers, and a probe from here to their
 * addresses would leave by this machine's routes: such expectations are refused before anything starts.
 */
export function refuseThisMachine(expectations: Expectation[], engine: string): void {
  const bound = expectations.filter(probesThisMachine);
  if (bound.length === 0) return;
  const where = [
    ...new Set(
      bound.map((expectation) => `${expectation.source.file}:${expectation.source.line}:${expectation.source.col}`),
    ),
  ];
  throw new RemoteEngineError(
    `DOCKER_HOST=${engine} names an engine on another machine, and ${bound.length} expectation(s) probe this one ` +
      `(host, outside, netns:… or its bridges; iptables, route or interfaces of host) at ${where.join(", ")}: run netlab on the engine's host for those, or check only between containers`,
  );
}
