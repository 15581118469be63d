import type { FlowsExpectation } from "../../core/check-file/expectations.js";
import type { Flow } from "../../probes/ovs-view.js";
import { dumpFlowsCommand, readFlows, TableReadError } from "../../probes/netns-tables.js";
import type { StateJudgement } from "../state-view.js";
import type { ExpectationKind } from "./kind.js";
import { list } from "./words.js";

const READ_TIMEOUT_MS = 5000;

function fieldsOf(match: string): string[] {
  return match
    .split(",")
    .map((field) => field.trim())
    .filter(Boolean);
}

/** Whether a flow's printed match has every field asked for (order-free: dump-flows prints its own order). */
function hasFields(flow: Flow, fields: string[]): boolean {
  const own = new Set(fieldsOf(flow.match));
  return fields.every((field) => own.has(field));
}

/** The flow judged against a bridge's table: one whose match has every field, with the actions, hit (or not) when asked. */
export function judgeFlows(expectation: FlowsExpectation, flows: Flow[]): StateJudgement {
  const { bridge, match, actions, hit } = expectation;
  const command = dumpFlowsCommand(bridge, expectation.switchDir).join(" ");
  const detail = `flows of ${bridge}: ${list(flows.map((flow) => `priority=${flow.priority}${flow.match ? `,${flow.match}` : ""} actions=${flow.actions} (n_packets=${flow.packets})`))}`;
  const fields = fieldsOf(match);
  const matching = flows.filter((flow) => hasFields(flow, fields));
  const add = `ovs-ofctl add-flow unix:${dumpFlowsCommand(bridge, expectation.switchDir)[2]!.slice("unix:".length)} "priority=100,${match},actions=${actions ?? "…"}"`;
  if (matching.length === 0)
    return {
      held: false,
      detail,
      command,
      hint: `${bridge} has no flow matching ${match}: every packet falls to the flows that match it (the default priority=0 actions=NORMAL forwards it like a switch): ${add}`,
    };
  const withActions = actions === undefined ? matching : matching.filter((flow) => flow.actions === actions);
  if (withActions.length === 0)
    return {
      held: false,
      detail,
      command,
      hint: `the flows matching ${match} do ${list(matching.map((flow) => flow.actions))}, not actions=${actions} (an empty action list also drops: dump-flows prints it as drop)`,
    };
  if (hit !== undefined && withActions.some((flow) => flow.packets > 0) !== hit)
    return {
      held: false,
      detail,
      command,
      hint: hit
        ? `the flow matching ${match} has matched no packet yet (n_packets=0): a flow of higher priority takes them first, or no such traffic was sent`
        : `the flow matching ${match} has already matched packets`,
    };
  return { held: true, detail, command };
}

/** An OpenFlow flow in an Open vSwitch bridge's table (`ovs-ofctl dump-flows`), the switch named by its run directory. */
export const flows: ExpectationKind<FlowsExpectation> = {
  kind: "flows",
  names: () => ({ containers: [], networks: [], namespaces: [] }),
  running: () => [],
  decide: {
    by: "engine",
    judge: async (expectation) => {
      try {
        return judgeFlows(expectation, await readFlows(expectation.bridge, expectation.switchDir, READ_TIMEOUT_MS));
      } catch (error) {
        if (!(error instanceof TableReadError)) throw error;
        // No switch answering there is the learner's to see, not netlab's failure.
        return {
          held: false,
          detail: error.message,
          command: dumpFlowsCommand(expectation.bridge, expectation.switchDir).join(" "),
          hint: `no Open vSwitch bridge ${expectation.bridge} answers at ${dumpFlowsCommand(expectation.bridge, expectation.switchDir)[2]}: is its ovs-vswitchd running, with that run directory?`,
        };
      }
    },
  },
  route: (expectation) => ({ from: expectation.bridge, to: expectation.match }),
  expected: (expectation) =>
    [
      `a flow ${expectation.match}`,
      expectation.actions ? `actions=${expectation.actions}` : "",
      expectation.hit === undefined ? "" : expectation.hit ? "hit" : "not hit",
    ]
      .filter(Boolean)
      .join(", "),
};
