import type { NetworkExpectation } from "../../core/check-file/expectations.js";
import type { StateJudgement, StateView } from "../state-view.js";
import type { Target } from "../target.js";
import type { ExpectationKind } from "./kind.js";
import { list, targetOf } from "./words.js";

const INSPECT_NETWORKS = "{{.HostConfig.NetworkMode}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}";

/** `default` is what older engines write for the default bridge; `container:<id>` is named back. */
async function modeOf(target: Target, view: StateView): Promise<string> {
  if (target.networkMode === "default") return "bridge";
  const joined = /^container:(.+)$/.exec(target.networkMode)?.[1];
  if (joined === undefined) return target.networkMode;
  const other = await view.container(joined);
  return `container:${other?.name ?? joined}`;
}

async function judge(
  expectation: NetworkExpectation,
  targets: Map<string, Target>,
  view: StateView,
): Promise<StateJudgement> {
  const target = targetOf(targets, expectation.container);
  const mode = await modeOf(target, view);
  const attached = target.attachments.map((attachment) => attachment.network).sort();
  const command = `docker inspect -f '${INSPECT_NETWORKS}' ${target.container}`;
  const detail = `mode ${mode}, attached to ${list(attached)}`;
  if (expectation.mode !== undefined) {
    const expected = expectation.mode === "default" ? "bridge" : expectation.mode;
    if (mode !== expected) {
      const flag = expected === "bridge" ? "no --network (the default bridge)" : `--network ${expected}`;
      return {
        held: false,
        detail,
        command,
        hint: `${target.name} runs with network mode ${mode}; a mode is fixed when the container is created: docker rm -f ${target.container}, then docker run with ${flag}`,
      };
    }
  }
  if (expectation.attached !== undefined) {
    const expected = [...expectation.attached].sort();
    const missing = expected.filter((network) => !attached.includes(network));
    const extra = attached.filter((network) => !expected.includes(network));
    if (missing.length > 0 || extra.length > 0) {
      const steps = [
        ...missing.map((network) => `docker network connect ${network} ${target.container}`),
        ...extra.map((network) => `docker network disconnect ${network} ${target.container}`),
      ];
      return {
        held: false,
        detail,
        command,
        hint: `${target.name} is attached to ${list(attached)}, not exactly ${list(expected)}: ${steps.join("; ")}`,
      };
    }
  }
  return { held: true, detail, command };
}

/** A container's network mode and the exact set of networks it is on, from `docker inspect`. */
export const network: ExpectationKind<NetworkExpectation> = {
  kind: "network",
  names: (expectation) => ({ containers: [expectation.container], networks: [], namespaces: [] }),
  running: (expectation) => {
    const joined = /^container:(.+)$/.exec(expectation.mode ?? "")?.[1];
    return [expectation.container, ...(joined ? [joined] : [])];
  },
  decide: { by: "engine", judge },
  route: (expectation) => ({ from: expectation.container, to: "engine" }),
  expected: (expectation) =>
    [
      expectation.mode === undefined ? "" : `mode ${expectation.mode}`,
      expectation.attached === undefined ? "" : `attached to ${expectation.attached.join(", ") || "nothing"}`,
    ]
      .filter(Boolean)
      .join(", "),
  ends: (expectation) => ({ from: expectation.container }),
};
