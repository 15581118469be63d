import { namespaceText } from "../../core/check-file/endpoint.js";
import type { FdbExpectation } from "../../core/check-file/expectations.js";
import { readFdb, tableCommands, type FdbEntry } from "../../probes/netns-tables.js";
import type { StateJudgement } from "../state-view.js";
import type { ExpectationKind } from "./kind.js";
import { list } from "./words.js";

const READ_TIMEOUT_MS = 5000;

function command(expectation: FdbExpectation): string {
  return `ip netns exec ${expectation.namespace} bridge fdb show dev ${expectation.dev}`;
}

function written(entry: FdbEntry): string {
  return `${entry.mac}${entry.dst ? ` dst ${entry.dst}` : ""}`;
}

/** The FDB entry judged against a namespace's table: the MAC on the device, tunnelled to `dst` when one is asked. */
export function judgeFdbEntries(expectation: FdbExpectation, entries: FdbEntry[]): StateJudgement {
  const { namespace, dev, mac, dst } = expectation;
  const onDev = entries.filter((entry) => entry.dev === dev);
  const detail = `fdb of ${dev}: ${list(onDev.map(written))}`;
  const replace = `ip netns exec ${namespace} bridge fdb replace ${mac} dev ${dev}${dst ? ` dst ${dst}` : ""} self permanent`;
  const forMac = onDev.filter((entry) => entry.mac === mac);
  if (forMac.length === 0)
    return {
      held: false,
      detail,
      command: command(expectation),
      hint: `${namespaceText(namespace)} has no FDB entry for ${mac} on ${dev}: without it, frames for that VTEP have nowhere to go (a nolearning VXLAN device drops them): ${replace}`,
    };
  if (dst !== undefined && !forMac.some((entry) => entry.dst === dst))
    return {
      held: false,
      detail,
      command: command(expectation),
      hint: `${mac} on ${dev} goes to ${list(forMac.map((entry) => entry.dst ?? "no dst"))}, not ${dst} (the peer's underlay address): ${replace}`,
    };
  return { held: true, detail, command: command(expectation) };
}

/** A bridge FDB entry in a named namespace (`bridge fdb show`): flannel's peer VTEP MAC → the peer node's address. */
export const fdb: ExpectationKind<FdbExpectation> = {
  kind: "fdb",
  names: (expectation) => ({ containers: [], networks: [], namespaces: [expectation.namespace] }),
  running: () => [],
  decide: {
    by: "engine",
    judge: async (expectation) => judgeFdbEntries(expectation, await readFdb(expectation.namespace, READ_TIMEOUT_MS)),
  },
  route: (expectation) => ({ from: namespaceText(expectation.namespace), to: expectation.dev }),
  expected: (expectation) => `fdb ${expectation.mac}${expectation.dst ? ` dst ${expectation.dst}` : ""}`,
};
