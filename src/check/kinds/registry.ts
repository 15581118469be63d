import type { Expectation } from "../../core/check-file/expectations.js";
import { address } from "./address.js";
import { command } from "./command.js";
import { container } from "./container.js";
import { dockerNetwork } from "./docker-network.js";
import { fdb } from "./fdb.js";
import { http } from "./http.js";
import { flows } from "./flows.js";
import { interfaces } from "./interfaces.js";
import { iptables } from "./iptables.js";
import type { ExpectationKind } from "./kind.js";
import { neighbour } from "./neighbour.js";
import { network } from "./network.js";
import { ping } from "./ping.js";
import { publishes } from "./publishes.js";
import { reach } from "./reach.js";
import { resolve } from "./resolve.js";
import { resolver } from "./resolver.js";
import { route } from "./route.js";

// One module per kind; a `matrix:` entry expands to reach expectations, one per cell, so reach serves it.
const KINDS: { [K in Expectation["kind"]]: ExpectationKind<Extract<Expectation, { kind: K }>> } = {
  reach,
  resolve,
  resolver,
  publishes,
  network,
  "docker-network": dockerNetwork,
  address,
  interfaces,
  container,
  fdb,
  neighbour,
  route,
  flows,
  iptables,
  command,
  ping,
  http,
};

/** The module of an expectation's kind: everything that differs from one kind to another goes through it. */
export function kindOf<E extends Expectation>(expectation: E): ExpectationKind<E> {
  return KINDS[expectation.kind] as unknown as ExpectationKind<E>;
}

/** The containers that must be found running: every one probed from or to, or whose network settings are read. */
export function namesOf(expectations: Expectation[]): string[] {
  return expectations.flatMap((expectation) => kindOf(expectation).running(expectation));
}

/** The named network namespaces (`netns:NAME`) an expectation probes from or reads. */
export function namespacesIn(expectation: Expectation): string[] {
  return kindOf(expectation).names(expectation).namespaces;
}

/** Containers a probe sidecar joins: the sources of probes, and those whose interfaces are read from inside. */
export function sidecarsOf(expectations: Expectation[]): Set<string> {
  return new Set(expectations.flatMap((expectation) => kindOf(expectation).sidecars?.(expectation) ?? []));
}

/** Whether an expectation reads this machine's own state (the host's tables, links, routes). */
export function readsThisMachine(expectation: Expectation): boolean {
  return kindOf(expectation).thisMachine?.(expectation) ?? false;
}

/** Whether any expectation needs the outside (the sentinel). */
export function needsOutside(expectations: Expectation[]): boolean {
  return expectations.some((expectation) => kindOf(expectation).outside?.(expectation) ?? false);
}
