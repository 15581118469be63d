/**
 * A picture as a small graph: nodes, boxes (clusters) around them, edges. Drawn two ways from the same
 * structure: Graphviz DOT (rendered to SVG) and Mermaid (which GitHub renders in summary.md).
 */
export type Attributes = Record<string, string | undefined>;

export const quote = (value: string) =>
  `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;

export function attributes(values: Attributes): string {
  const pairs = Object.entries(values).filter((pair): pair is [string, string] => pair[1] !== undefined);
  return pairs.length ? ` [${pairs.map(([key, value]) => `${key}=${quote(value)}`).join(", ")}]` : "";
}

interface NodeItem {
  kind: "node";
  id: string;
  values: Attributes;
}
interface ClusterItem {
  kind: "cluster";
  id: string;
  values: Attributes;
  items: Item[];
}
type Item = NodeItem | ClusterItem;
interface EdgeItem {
  from: string;
  to: string;
  values: Attributes;
}

/** Text for a Mermaid label: quotes and markup made harmless, lines broken with <br>. */
const mermaidText = (text: string) =>
  text
    .replaceAll("&", "&amp;")
    .replaceAll('"', "#quot;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll("\n", "<br>");

export class TopologyGraph {
  private readonly root: Item[] = [];
  private readonly edges: EdgeItem[] = [];
  private readonly open: Item[][] = [this.root];
  private counter = 0;

  constructor(
    private readonly name: string,
    private readonly defaults: { graph: Attributes; node: Attributes; edge: Attributes },
  ) {}

  private get current(): Item[] {
    return this.open[this.open.length - 1] ?? this.root;
  }

  /** Adds a node and returns its id. */
  node(values: Attributes): string {
    const id = `n${++this.counter}`;
    this.current.push({ kind: "node", id, values });
    return id;
  }

  /** Edges go after every cluster, so they never pull a node into the wrong box. */
  edge(from: string, to: string, values: Attributes): void {
    this.edges.push({ from, to, values });
  }

  /** A box (Graphviz cluster, Mermaid subgraph) around the nodes `draw` adds. */
  cluster<T>(id: string, values: Attributes, draw: () => T): T {
    const cluster: ClusterItem = { kind: "cluster", id, values, items: [] };
    this.current.push(cluster);
    this.open.push(cluster.items);
    try {
      return draw();
    } finally {
      this.open.pop();
    }
  }

  /** Graphviz DOT. */
  toString(): string {
    const lines = [
      `  graph${attributes(this.defaults.graph)};`,
      `  node${attributes(this.defaults.node)};`,
      `  edge${attributes(this.defaults.edge)};`,
    ];
    const emit = (items: Item[], depth: number) => {
      const pad = "  ".repeat(depth);
      for (const item of items) {
        if (item.kind === "node") {
          lines.push(`${pad}${item.id}${attributes(item.values)};`);
          continue;
        }
        lines.push(`${pad}subgraph cluster_${item.id} {`, `${pad}  graph${attributes(item.values)};`);
        emit(item.items, depth + 1);
        lines.push(`${pad}}`);
      }
    };
    emit(this.root, 1);
    for (const edge of this.edges) lines.push(`  ${edge.from} -> ${edge.to}${attributes(edge.values)};`);
    return `digraph ${quote(this.name)} {\n${lines.join("\n")}\n}\n`;
  }

  /** Mermaid flowchart: boxes as subgraphs, the same labels and colours; what Mermaid cannot draw (shapes, ports) is left out. */
  toMermaid(): string {
    const direction = this.defaults.graph.rankdir === "TB" ? "TB" : "LR";
    const lines = [`flowchart ${direction}`];
    const styles: string[] = [];
    const style = (id: string, values: Attributes) => {
      const parts = [
        values.fillcolor && values.style?.includes("filled") ? `fill:${values.fillcolor}` : undefined,
        values.color ? `stroke:${values.color}` : undefined,
        values.style?.includes("dashed") ? "stroke-dasharray: 4 3" : undefined,
      ].filter(Boolean);
      if (parts.length) styles.push(`  style ${id} ${parts.join(",")}`);
    };
    const emit = (items: Item[], depth: number) => {
      const pad = "  ".repeat(depth);
      for (const item of items) {
        if (item.kind === "node") {
          if (item.values.shape === "plaintext" && !item.values.label) continue;
          lines.push(`${pad}${item.id}["${mermaidText(item.values.label ?? item.id)}"]`);
          style(item.id, { fillcolor: this.defaults.node.fillcolor, style: this.defaults.node.style, ...item.values });
          continue;
        }
        lines.push(`${pad}subgraph ${item.id}["${mermaidText(item.values.label ?? item.id)}"]`);
        emit(item.items, depth + 1);
        lines.push(`${pad}end`);
        style(item.id, item.values);
      }
    };
    emit(this.root, 1);
    this.edges.forEach((edge, index) => {
      const dotted = edge.values.style?.includes("dashed") || edge.values.style?.includes("dotted");
      const arrow = edge.values.dir === "forward" ? (dotted ? "-.->" : "-->") : dotted ? "-.-" : "---";
      const label = edge.values.label ? `|"${mermaidText(edge.values.label)}"|` : "";
      lines.push(`  ${edge.from} ${arrow}${label} ${edge.to}`);
      if (edge.values.color)
        styles.push(
          `  linkStyle ${index} stroke:${edge.values.color}${edge.values.penwidth ? `,stroke-width:${edge.values.penwidth}px` : ""}`,
        );
    });
    return `${[...lines, ...styles].join("\n")}\n`;
  }
}
