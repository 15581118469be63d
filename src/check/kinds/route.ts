import { tableSiteText, type RouteExpectation } from "../../core/check-file/expectations.js";
import { readRoutes, tableCommands, type RouteEntry } from "../../probes/netns-tables.js";
import type { StateJudgement } from "../state-view.js";
import type { ExpectationKind } from "./kind.js";
import { list } from "./words.js";

const READ_TIMEOUT_MS = 5000;

/** `ip` with `-n NAME` for a named namespace, alone for the host. */
function ipIn(namespace: string | undefined): string {
  return namespace === undefined ? "ip" : `ip -n ${namespace}`;
}

function command(expectation: RouteExpectation): string {
  return `${ipIn(expectation.namespace)} route show ${expectation.destination}`;
}

function written(route: RouteEntry): string {
  return [
    route.destination,
    route.gateway ? `via ${route.gateway}` : "",
    route.dev ? `dev ${route.dev}` : "",
    ...route.flags,
  ]
    .filter(Boolean)
    .join(" ");
}

/** ip route prints a host route without /32. */
function sameDestination(printed: string, expected: string): boolean {
  const strip = (value: string) => value.replace(/\/32$/, "");
  return strip(printed) === strip(expected);
}

/** The route judged against a namespace's main table: to the destination, via the gateway, on the device, onlink. */
export function judgeRouteEntries(expectation: RouteExpectation, routes: RouteEntry[]): StateJudgement {
  const { namespace, destination, via, dev, onlink } = expectation;
  const found = routes.filter((route) => sameDestination(route.destination, destination));
  const detail = `route ${destination}: ${list(found.map(written))}`;
  const wanted = [destination, via ? `via ${via}` : "", dev ? `dev ${dev}` : "", onlink ? "onlink" : ""]
    .filter(Boolean)
    .join(" ");
  const fail = (why: string): StateJudgement => ({
    held: false,
    detail,
    command: command(expectation),
    hint:
      namespace === undefined
        ? `the host: ${why}; the host's routes come from its own network setup and from Docker's bridges (a network's subnet routes to its bridge while the network exists); changing them by hand (ip route replace ${wanted}) can cut this machine off, so fix what makes them`
        : `${tableSiteText(namespace)}: ${why}: ${ipIn(namespace)} route replace ${wanted}`,
  });
  const route = found[0];
  if (!route) return fail(`no route to ${destination}`);
  if (via !== undefined && route.gateway !== via)
    return fail(`${destination} goes via ${route.gateway ?? "no gateway"}, not ${via}`);
  if (dev !== undefined && route.dev !== dev)
    return fail(`${destination} goes out of ${route.dev ?? "no device"}, not ${dev}`);
  if (onlink !== undefined && route.flags.includes("onlink") !== onlink)
    return fail(
      onlink
        ? `${destination} is not onlink (flannel's gateway, the peer's /32 flannel.1 address, is on no subnet of the device: only onlink lets it be a gateway)`
        : `${destination} is onlink`,
    );
  return { held: true, detail, command: command(expectation) };
}

/** A route in the host's or a named namespace's main table (`ip route show`): the host's default, flannel's `10.244.X.0/24 via 10.244.X.0 dev flannel.1 onlink`. */
export const route: ExpectationKind<RouteExpectation> = {
  kind: "route",
  names: (expectation) => ({
    containers: [],
    networks: [],
    namespaces: expectation.namespace === undefined ? [] : [expectation.namespace],
  }),
  running: () => [],
  thisMachine: (expectation) => expectation.namespace === undefined,
  decide: {
    by: "engine",
    judge: async (expectation) =>
      judgeRouteEntries(expectation, await readRoutes(expectation.namespace, READ_TIMEOUT_MS)),
  },
  route: (expectation) => ({ from: tableSiteText(expectation.namespace), to: expectation.destination }),
  expected: (expectation) =>
    [
      expectation.via ? `via ${expectation.via}` : "",
      expectation.dev ? `dev ${expectation.dev}` : "",
      expectation.onlink ? "onlink" : "",
    ]
      .filter(Boolean)
      .join(" ") || "a route",
};
