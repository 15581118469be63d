import type { ContainerExpectation } from "../../core/check-file/expectations.js";
import type { StateJudgement, StateView } from "../state-view.js";
import type { Target } from "../target.js";
import type { ExpectationKind } from "./kind.js";

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
      hint: `start it as the task says, named exactly ${expectation.container}`,
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
    `${expectation.state}${expectation.logsContain === undefined ? "" : `, logs contain "${expectation.logsContain}"`}`,
  ends: (expectation) => ({ from: expectation.container }),
};
