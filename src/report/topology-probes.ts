import type { CheckRecord } from "../core/facts-schema.js";
import type { TopologyGraph } from "./topology-graph.js";

/** How a probe's outcome is drawn: reached, refused by a live peer, or stopped on the way. */
const PROBE_COLORS = { connected: "#2e8b57", refused: "#8c8c8c", blocked: "#cc3333" } as const;
const probeKind = (outcome: string): keyof typeof PROBE_COLORS =>
  outcome === "connected" ? "connected" : outcome === "refused" ? "refused" : "blocked";

/** Where a probe starts (by the name it ran from) and ends (by where it went): a node of the picture, or none. */
export interface ProbeEnds {
  from: (name: string) => string | undefined;
  to: (origin: string, target: string) => string | undefined;
}

/**
 * Each tcp probe between two things of the picture as an arrow: green connected, grey refused, red blocked
 * (timed out, unreachable). Probes between the same two nodes with the same kind of outcome share one arrow,
 * labelled with the ports and claims.
 */
export function drawProbes(dot: TopologyGraph, checks: readonly CheckRecord[], ends: ProbeEnds): void {
  const arrows = new Map<string, { from: string; to: string; kind: keyof typeof PROBE_COLORS; what: Set<string> }>();
  for (const check of checks) {
    for (const probe of check.probes) {
      if (probe.probe !== "tcp") continue;
      const start = ends.from(probe.from);
      const end = ends.to(probe.from, probe.target);
      if (!start || !end || start === end) continue;
      const kind = probeKind(probe.outcome);
      const key = `${start} ${end} ${kind}`;
      const arrow = arrows.get(key) ?? { from: start, to: end, kind, what: new Set<string>() };
      arrow.what.add(`:${probe.target.split(":").at(-1)} ${probe.outcome} (${check.claim})`);
      arrows.set(key, arrow);
    }
  }
  for (const arrow of arrows.values()) {
    const what = [...arrow.what];
    const label = what.length > 3 ? `${what.slice(0, 3).join("\n")}\n+${what.length - 3} more` : what.join("\n");
    dot.edge(arrow.from, arrow.to, {
      label,
      color: PROBE_COLORS[arrow.kind],
      fontcolor: PROBE_COLORS[arrow.kind],
      dir: "forward",
      constraint: "false",
      style: arrow.kind === "refused" ? "dashed" : undefined,
    });
  }
  if (arrows.size > 0) drawLegend(dot);
}

function drawLegend(dot: TopologyGraph): void {
  dot.cluster("legend", { label: "probes", style: "rounded", color: "#bbbbbb" }, () => {
    for (const [kind, words] of [
      ["connected", "connected"],
      ["refused", "refused (a peer said no)"],
      ["blocked", "blocked (timed out, unreachable)"],
    ] as const) {
      const a = dot.node({ label: " ", shape: "point", width: "0.05" });
      const b = dot.node({ label: words, shape: "plaintext", style: "" });
      dot.edge(a, b, { color: PROBE_COLORS[kind], dir: "forward", style: kind === "refused" ? "dashed" : undefined });
    }
  });
}
