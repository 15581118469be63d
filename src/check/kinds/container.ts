import type { ContainerExpectation } from "../../core/check-file/expectations.js";
import type { ContainerFacts, StateJudgement, StateView } from "../state-view.js";
import type { Target } from "../target.js";
import type { ExpectationKind } from "./kind.js";
import { list } from "./words.js";

/** An RFC 3339 time as inspect prints it (nanoseconds), as nanoseconds since the epoch. */
function nanosOf(time: string): bigint {
  const match = /^(.*?T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!match) return BigInt(Date.parse(time)) * 1_000_000n;
  const seconds = BigInt(Date.parse(`${match[1]}${match[3]}`) / 1000);
  return seconds * 1_000_000_000n + BigInt((match[2] ?? "").padEnd(9, "0").slice(0, 9));
}

/** Whether it is the container whose id starts so: a removed and re-run one has a new id. */
function judgeIdentity(expectation: ContainerExpectation, facts: ContainerFacts, status: string): StateJudgement {
  const detail = `${status}; id ${facts.id.slice(0, 12)} (created ${facts.created})`;
  const command = `docker inspect -f '{{.Id}} {{.Created}}' ${facts.name}`;
  if (facts.id.startsWith(expectation.containerId!)) return { held: true, detail, command };
  return {
    held: false,
    detail,
    command,
    hint: `${facts.name} is another container than ${expectation.containerId} (created ${facts.created}): it was removed and re-created; docker network connect/disconnect and docker start change a container's networks and state without making a new one`,
  };
}

/** The networks it was connected to after it started, from the `network connect` events the engine still holds. */
async function judgeJoined(
  expectation: ContainerExpectation,
  facts: ContainerFacts,
  status: string,
  view: StateView,
): Promise<StateJudgement> {
  const started = nanosOf(facts.startedAt);
  const { events, oldestNano } = await view.connectEvents(facts.id);
  const joined = [...new Set(events.filter((event) => event.timeNano > started).map((event) => event.network))];
  const atStart = Object.keys(facts.endpoints).filter((network) => !joined.includes(network));
  const detail = `${status} since ${facts.startedAt}; connected while running: ${list(joined)}; on since its start: ${list(atStart)}`;
  const command = `docker events --since ${facts.startedAt} --until "$(date +%s)" --filter type=network --filter event=connect --format '{{.TimeNano}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}}' | grep ${facts.id}`;
  const missing = (expectation.joinedRunning ?? []).filter((network) => !joined.includes(network));
  if (missing.length === 0) return { held: true, detail, command };
  // Moby keeps its last 256 events in memory (a busy engine makes that seconds), and none across its own restart.
  const forgotten = oldestNano === undefined || oldestNano > started;
  const onIt = missing.filter((network) => facts.endpoints[network] !== undefined);
  const hint = forgotten
    ? `the engine keeps only its most recent events in memory and they no longer reach back to ${facts.name}'s start (${facts.startedAt}): whether ${list(missing)} was joined while it ran cannot be read any more; check soon after docker network connect`
    : onIt.length > 0
      ? // Connecting again is refused (the endpoint exists): it joins while running only once taken off.
        `${facts.name} is on ${list(onIt)} since it started (docker run --network, a connect before docker start, or a restart since it joined), not connected while running: take it off and connect it again while it runs (docker network disconnect ${onIt[0]} ${facts.name} && docker network connect ${onIt[0]} ${facts.name})`
      : `${facts.name} is not on ${list(missing)}: docker network connect ${missing[0]} ${facts.name} while it runs`;
  return { held: false, detail, command, hint };
}

async function judge(
  expectation: ContainerExpectation,
  _targets: Map<string, Target>,
  view: StateView,
): Promise<StateJudgement> {
  const facts = await view.container(expectation.container);
  const command = `docker ps -a --filter name=^${expectation.container}$ --format '{{.Names}} {{.Status}}'`;
  if (!facts)
    return {
      held: false,
      detail: `no container named ${expectation.container}`,
      command: "docker ps -a",
      hint: `start it, named exactly ${expectation.container}`,
    };
  const status = facts.status === "exited" ? `exited (code ${facts.exitCode})` : facts.status;
  let detail = status;
  if (facts.status !== expectation.state) {
    const hint =
      expectation.state === "exited"
        ? `${facts.name} is still ${facts.status}: nothing stopped it (a second server fails only when its port is already taken in the same namespace)`
        : `${facts.name} is ${status}: see why with docker logs ${facts.name}`;
    return { held: false, detail, command, hint };
  }
  if (expectation.containerId !== undefined) {
    const identity = judgeIdentity(expectation, facts, status);
    if (!identity.held) return identity;
    detail = identity.detail;
  }
  if (expectation.joinedRunning !== undefined) {
    const joined = await judgeJoined(expectation, facts, status, view);
    if (!joined.held || expectation.logsContain === undefined) return joined;
  }
  if (expectation.logsContain !== undefined) {
    const logs = await view.logs(expectation.container);
    const last = logs.trim().split("\n").filter(Boolean).at(-1) ?? "(nothing)";
    detail = `${status}; logs end: ${last}`;
    if (!logs.includes(expectation.logsContain)) {
      return {
        held: false,
        detail,
        command: `docker logs ${facts.name}`,
        hint: `${facts.name}'s logs do not say "${expectation.logsContain}"; they end with: ${last}`,
      };
    }
    return { held: true, detail, command: `docker logs ${facts.name}` };
  }
  return { held: true, detail, command };
}

/** A container's state, running or not, and text its logs contain, from `docker inspect` and `docker logs`. */
export const container: ExpectationKind<ContainerExpectation> = {
  kind: "container",
  names: (expectation) => ({ containers: [expectation.container], networks: [], namespaces: [] }),
  // It may have exited: the engine's view reads it, not the search for running containers.
  running: () => [],
  decide: { by: "engine", judge },
  route: (expectation) => ({ from: expectation.container, to: "engine" }),
  expected: (expectation) =>
    [
      expectation.state,
      expectation.logsContain === undefined ? "" : `logs contain "${expectation.logsContain}"`,
      expectation.containerId === undefined ? "" : `id ${expectation.containerId}`,
      expectation.joinedRunning === undefined ? "" : `joined ${expectation.joinedRunning.join(", ")} while running`,
    ]
      .filter(Boolean)
      .join(", "),
  ends: (expectation) => ({ from: expectation.container }),
};
