import { namespaceText } from "../../core/check-file/endpoint.js";
import type { NeighbourExpectation } from "../../core/check-file/expectations.js";
import { readNeighbours, tableCommands, type NeighbourEntry } from "../../probes/netns-tables.js";
import type { StateJudgement } from "../state-view.js";
import type { ExpectationKind } from "./kind.js";
import { list } from "./words.js";

const READ_TIMEOUT_MS = 5000;

function command(expectation: NeighbourExpectation): string {
  return `ip -n ${expectation.namespace} neigh show ${expectation.address}`;
}

function written(entry: NeighbourEntry): string {
  return `${entry.address}${entry.dev ? ` dev ${entry.dev}` : ""} lladdr ${entry.lladdr ?? "none"} ${entry.states.join(",")}`;
}

/** The neighbour entry judged against a namespace's table: address → lladdr, on `dev`, PERMANENT when asked. */
export function judgeNeighbourEntries(expectation: NeighbourExpectation, entries: NeighbourEntry[]): StateJudgement {
  const { namespace, address, lladdr, dev, permanent } = expectation;
  const found = entries.filter((entry) => entry.address === address && (dev === undefined || entry.dev === dev));
  const detail = `neigh ${address}: ${list(found.map(written))}`;
  const replace = `ip -n ${namespace} neigh replace ${address} lladdr ${lladdr} dev ${dev ?? "DEV"} nud permanent`;
  const fail = (why: string): StateJudgement => ({
    held: false,
    detail,
    command: command(expectation),
    hint: `${namespaceText(namespace)}: ${why}: ${replace}`,
  });
  if (found.length === 0)
    return fail(
      `no neighbour entry for ${address}${dev ? ` on ${dev}` : ""} (flannel writes it: a VXLAN device with nolearning never asks ARP across the tunnel)`,
    );
  const entry = found[0]!;
  if (entry.lladdr !== lladdr) return fail(`${address} resolves to ${entry.lladdr ?? "nothing"}, not ${lladdr}`);
  const isPermanent = entry.states.includes("PERMANENT");
  if (permanent !== undefined && isPermanent !== permanent)
    return fail(
      `${address} is ${entry.states.join(",") || "in no state"}, ${permanent ? "not PERMANENT" : "PERMANENT"}`,
    );
  return { held: true, detail, command: command(expectation) };
}

/** A neighbour entry in a named namespace (`ip neigh show`): flannel's peer flannel.1 address → its VTEP MAC. */
export const neighbour: ExpectationKind<NeighbourExpectation> = {
  kind: "neighbour",
  names: (expectation) => ({ containers: [], networks: [], namespaces: [expectation.namespace] }),
  running: () => [],
  decide: {
    by: "engine",
    judge: async (expectation) =>
      judgeNeighbourEntries(expectation, await readNeighbours(expectation.namespace, READ_TIMEOUT_MS)),
  },
  route: (expectation) => ({ from: namespaceText(expectation.namespace), to: expectation.address }),
  expected: (expectation) =>
    `lladdr ${expectation.lladdr}${expectation.permanent === undefined ? "" : expectation.permanent ? ", permanent" : ", not permanent"}`,
};
