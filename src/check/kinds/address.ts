import { contains, toNumber } from "../../core/cidr.js";
import type { AddressExpectation } from "../../core/check-file/expectations.js";
import type { StateJudgement, StateView } from "../state-view.js";
import type { Target } from "../target.js";
import type { ExpectationKind } from "./kind.js";
import { list, targetOf } from "./words.js";

async function judge(
  expectation: AddressExpectation,
  targets: Map<string, Target>,
  view: StateView,
): Promise<StateJudgement> {
  const where = expectation.in;
  const names = expectation.containers.map((name) => targetOf(targets, name));
  const command = `docker inspect -f '{{.Name}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' ${names.map((target) => target.container).join(" ")}`;
  let subnets: string[];
  let label: string;
  if (where.kind === "network") {
    const facts = await view.network(where.name);
    if (!facts)
      return {
        held: false,
        detail: `no network named ${where.name}`,
        command: "docker network ls",
        hint: `create it first: docker network create ${where.name}`,
      };
    subnets = facts.subnets;
    label = `${where.name} ${list(subnets)}`;
  } else {
    subnets = [where.cidr];
    label = where.cidr;
  }
  const found = names.map((target) => {
    const candidates = target.attachments.filter(
      (attachment) => where.kind !== "network" || attachment.network === where.name,
    );
    const address = candidates
      .map((attachment) => attachment.address)
      .find((value) => value !== undefined && subnets.some((subnet) => contains(subnet, value)));
    return { target, address };
  });
  const detail = `${found.map(({ target, address }) => `${target.name} ${address ?? `none in ${label} (${list(target.attachments.map((attachment) => `${attachment.network}${attachment.address ? ` ${attachment.address}` : ""}`))})`}`).join(", ")} (${label})`;
  const outside = found.find(({ address }) => address === undefined);
  if (outside) {
    const run =
      where.kind === "network" && where.name !== "bridge"
        ? `--network ${where.name}`
        : "no --network (the default bridge)";
    return {
      held: false,
      detail,
      command,
      hint: `${outside.target.name} has no address in ${label}: it is on ${list(outside.target.attachments.map((attachment) => attachment.network))}; run it with ${run}`,
    };
  }
  if (expectation.ordered) {
    const numbers = found.map(({ address }) => toNumber(address!));
    const unordered = numbers.findIndex((value, index) => index > 0 && value <= numbers[index - 1]!);
    if (unordered > 0) {
      const [before, after] = [found[unordered - 1]!, found[unordered]!];
      return {
        held: false,
        detail,
        command,
        hint: `${after.target.name} (${after.address}) is not after ${before.target.name} (${before.address}): the engine hands out the lowest free address, so start them in the order listed (${expectation.containers.join(", then ")})`,
      };
    }
  }
  return { held: true, detail, command };
}

function where(expectation: AddressExpectation): string {
  return expectation.in.kind === "network" ? expectation.in.name : expectation.in.cidr;
}

/** Each container has an address in a network's subnet (or a CIDR), optionally in the order listed. */
export const address: ExpectationKind<AddressExpectation> = {
  kind: "address",
  // The default bridge is always there: an exercise need not list it.
  names: (expectation) => ({
    containers: expectation.containers,
    networks: expectation.in.kind === "network" && expectation.in.name !== "bridge" ? [expectation.in.name] : [],
    namespaces: [],
  }),
  running: (expectation) => expectation.containers,
  decide: { by: "engine", judge },
  route: (expectation) => ({ from: expectation.containers.join(", "), to: where(expectation) }),
  expected: (expectation) =>
    `address${expectation.containers.length > 1 ? "es" : ""} in ${where(expectation)}${expectation.ordered ? ", in order" : ""}`,
};
