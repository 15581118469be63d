import { dockerNetworkWords, type DockerNetworkExpectation } from "../../core/check-file/expectations.js";
import type { StateJudgement, StateView } from "../state-view.js";
import type { Target } from "../target.js";
import type { ExpectationKind } from "./kind.js";

function createCommand(expectation: DockerNetworkExpectation): string {
  const flags = [
    expectation.driver && expectation.driver !== "bridge" ? `-d ${expectation.driver}` : "",
    expectation.internal ? "--internal" : "",
    expectation.attachable ? "--attachable" : "",
    expectation.parent ? `-o parent=${expectation.parent}` : "",
  ].filter(Boolean);
  return `docker network create ${flags.join(" ")}${flags.length ? " " : ""}${expectation.network}`;
}

async function judge(
  expectation: DockerNetworkExpectation,
  _targets: Map<string, Target>,
  view: StateView,
): Promise<StateJudgement> {
  const command = `docker network inspect -f '{{.Driver}} internal={{.Internal}} attachable={{.Attachable}} {{.Options}}' ${expectation.network}`;
  const facts = await view.network(expectation.network);
  if (!facts)
    return {
      held: false,
      detail: `no network named ${expectation.network}`,
      command: "docker network ls",
      hint: `create it: ${createCommand(expectation)}`,
    };
  const detail = `${facts.driver} network, internal=${facts.internal}, attachable=${facts.attachable}${facts.options.parent ? `, parent ${facts.options.parent}` : ""}`;
  const recreate = `a network's driver and options are fixed when it is created: disconnect its containers, docker network rm ${facts.name}, then ${createCommand(expectation)}`;
  if (expectation.driver !== undefined && facts.driver !== expectation.driver) {
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name} uses the ${facts.driver} driver, not ${expectation.driver}; ${recreate}`,
    };
  }
  if (expectation.internal !== undefined && facts.internal !== expectation.internal) {
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name} was created ${facts.internal ? "with" : "without"} --internal; ${recreate}`,
    };
  }
  if (expectation.attachable !== undefined && facts.attachable !== expectation.attachable) {
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name} was created ${facts.attachable ? "with" : "without"} --attachable; ${recreate}`,
    };
  }
  if (expectation.parent !== undefined && facts.options.parent !== expectation.parent) {
    return {
      held: false,
      detail,
      command,
      hint: `${facts.name} sits on ${facts.options.parent ?? "no parent"}, not ${expectation.parent}; ${recreate}`,
    };
  }
  return { held: true, detail, command };
}

/** A Docker network exists with this driver and these options, from `docker network inspect`. */
export const dockerNetwork: ExpectationKind<DockerNetworkExpectation> = {
  kind: "docker-network",
  names: (expectation) => ({ containers: [], networks: [expectation.network], namespaces: [] }),
  running: () => [],
  decide: { by: "engine", judge },
  route: (expectation) => ({ from: expectation.network, to: "engine" }),
  expected: dockerNetworkWords,
};
