import type { NetworkExpectation } from "../../core/check-file/expectations.js";
import type { StateJudgement, StateView } from "../state-view.js";
import type { Target } from "../target.js";
import type { ExpectationKind } from "./kind.js";
import { list, targetOf } from "./words.js";

const INSPECT_NETWORKS = "{{.HostConfig.NetworkMode}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}";

/**
 * `default` is what older engines write for the default bridge; `container:<id>` is named back, by the
 * container's name and (compose) its service's: `network_mode: service:web` is `container:web` to a user.
 */
async function modeOf(target: Target, view: StateView): Promise<{ mode: string; names: string[] }> {
  if (target.networkMode === "default") return { mode: "bridge", names: ["bridge"] };
  const joined = /^container:(.+)$/.exec(target.networkMode)?.[1];
  if (joined === undefined) return { mode: target.networkMode, names: [target.networkMode] };
  const other = await view.container(joined);
  const mode = `container:${other?.name ?? joined}`;
  const service = other?.labels["com.docker.compose.service"];
  return { mode, names: [mode, ...(service === undefined ? [] : [`container:${service}`])] };
}

async function judge(
  expectation: NetworkExpectation,
  targets: Map<string, Target>,
  view: StateView,
): Promise<StateJudgement> {
  const target = targetOf(targets, expectation.container);
  const { mode, names } = await modeOf(target, view);
  const attached = target.attachments.map((attachment) => attachment.network).sort();
  const command = `docker inspect -f '${INSPECT_NETWORKS}' ${target.container}`;
  const detail = `mode ${mode}, attached to ${list(attached)}`;
  if (expectation.mode !== undefined) {
    const expected = expectation.mode === "default" ? "bridge" : expectation.mode;
    if (!names.includes(expected)) {
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
