import type { LabRecord, Matrix, MatrixEndpoint, MatrixEntry } from "../core/facts-schema.js";
import { addressesOf, labView } from "./lab-view.js";

/** What the matrix needs to know about the run to name addresses that belong to no container. */
export interface MatrixContext {
  sentinel?: { address?: string; hostAddress?: string };
  /** Gateways of the engine's networks (docker0's address and the like). */
  gateways?: string[];
}

const KIND_ORDER: MatrixEndpoint["kind"][] = ["container", "host", "sentinel", "gateway", "loopback", "other", "dns"];

function byKind(endpoints: Map<string, MatrixEndpoint>): MatrixEndpoint[] {
  const ordered = [...endpoints.values()];
  return ordered.sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || ordered.indexOf(a) - ordered.indexOf(b),
  );
}

/** The addresses of the run that belong to no container: the sentinel, its host end, the default gateway. */
export function matrixContext(run: {
  sentinel: Record<string, unknown>;
  engine: Record<string, unknown>;
}): MatrixContext {
  const bridge = run.engine.bridge as { gateway?: unknown } | undefined;
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return {
    sentinel: { address: text(run.sentinel.address), hostAddress: text(run.sentinel.hostAddress) },
    gateways: text(bridge?.gateway) ? [text(bridge?.gateway) as string] : [],
  };
}

/**
 * Where packets could and could not go in one lab: rows are where probes ran (containers, the host, the
 * sentinel), columns what they tried to reach; each cell lists every tcp connect and dns lookup between the
 * two, with the outcome the claim expected and the one observed. Listening probes are not reach and stay out.
 */
export function buildMatrix(
  lab: Pick<LabRecord, "lab" | "containers" | "host" | "checks">,
  context: MatrixContext = {},
): Matrix {
  const view = labView(lab);
  const roleByName = new Map(view.containers.map((container) => [container.name, container.label]));
  const rolesByAddress = new Map<string, string[]>();
  for (const container of view.containers) {
    for (const address of addressesOf(container))
      rolesByAddress.set(address, [...(rolesByAddress.get(address) ?? []), container.label]);
  }

  const source = (from: string): MatrixEndpoint => {
    const role = roleByName.get(from);
    if (role) return { id: from, label: role, kind: "container" };
    if (from === "host" || from === "sentinel") return { id: from, label: from, kind: from };
    return { id: from, label: from, kind: "other" };
  };

  const target = (probe: "tcp" | "udp" | "icmp" | "dns", id: string): MatrixEndpoint => {
    if (probe === "dns") return { id, label: `lookup ${id}`, kind: "dns" };
    // `ADDRESS:PORT`, `[IPv6]:PORT`, either with `/udp`: the address alone names the container.
    // An ICMP probe's target is the address alone (an IPv6 one ends in `:digits` too).
    const address = probe === "icmp" ? id : id.replace(/:\d+(?:\/udp)?$/, "").replace(/^\[(.*)\]$/, "$1");
    const roles = rolesByAddress.get(address);
    if (roles) return { id, label: `${roles.join("/")} ${id}`, kind: "container" };
    if (address === context.sentinel?.address) return { id, label: `sentinel ${id}`, kind: "sentinel" };
    if (address === context.sentinel?.hostAddress) return { id, label: `host ${id}`, kind: "host" };
    if (context.gateways?.includes(address)) return { id, label: `gateway ${id}`, kind: "gateway" };
    if (address.startsWith("127.")) return { id, label: `own loopback ${id}`, kind: "loopback" };
    return { id, label: id, kind: "other" };
  };

  const sources = new Map<string, MatrixEndpoint>();
  const targets = new Map<string, MatrixEndpoint>();
  const cells = new Map<string, { source: string; target: string; entries: MatrixEntry[] }>();
  for (const check of lab.checks) {
    for (const probe of check.probes) {
      if (probe.probe === "listen") continue;
      const from = source(probe.from);
      const to = target(probe.probe, probe.target);
      if (!sources.has(from.id)) sources.set(from.id, from);
      if (!targets.has(to.id)) targets.set(to.id, to);
      const expected = probe.expected === undefined ? undefined : [probe.expected].flat();
      const entry: MatrixEntry = {
        claim: check.claim,
        probe: probe.probe,
        ...(expected ? { expected } : {}),
        observed: probe.outcome,
        mismatch: expected !== undefined && !expected.includes(probe.outcome),
        detail: probe.detail,
        command: probe.command,
        ...(probe.at !== undefined ? { at: probe.at } : {}),
      };
      const key = `${from.id}\u0000${to.id}`;
      const cell = cells.get(key) ?? { source: from.id, target: to.id, entries: [] };
      cell.entries.push(entry);
      cells.set(key, cell);
    }
  }
  const all = [...cells.values()];
  return {
    sources: byKind(sources),
    targets: byKind(targets),
    cells: all,
    mismatches: all.reduce((count, cell) => count + cell.entries.filter((entry) => entry.mismatch).length, 0),
  };
}

export function cellOf(matrix: Matrix, source: string, target: string): MatrixEntry[] {
  return matrix.cells.find((cell) => cell.source === source && cell.target === target)?.entries ?? [];
}

/** A cell's entries in the order their probes ran (recorded time; the order recorded where no time was kept). */
export function orderedEntries(matrix: Matrix, source: string, target: string): MatrixEntry[] {
  return cellOf(matrix, source, target)
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => (a.entry.at ?? 0) - (b.entry.at ?? 0) || a.index - b.index)
    .map(({ entry }) => entry);
}
