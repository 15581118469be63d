/** A few lines of Graphviz DOT at a time: quoted labels, generated node ids, clusters, edges kept for the end. */
export type Attributes = Record<string, string | undefined>;

export const quote = (value: string) => `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;

export function attributes(values: Attributes): string {
  const pairs = Object.entries(values).filter((pair): pair is [string, string] => pair[1] !== undefined);
  return pairs.length ? ` [${pairs.map(([key, value]) => `${key}=${quote(value)}`).join(", ")}]` : "";
}

export class DotGraph {
  private readonly lines: string[] = [];
  private readonly edges: string[] = [];
  private counter = 0;
  private depth = 1;

  constructor(
    private readonly name: string,
    defaults: { graph: Attributes; node: Attributes; edge: Attributes },
  ) {
    this.lines.push(`  graph${attributes(defaults.graph)};`, `  node${attributes(defaults.node)};`, `  edge${attributes(defaults.edge)};`);
  }

  /** Adds a node and returns its id. */
  node(values: Attributes): string {
    const id = `n${++this.counter}`;
    this.lines.push(`${"  ".repeat(this.depth)}${id}${attributes(values)};`);
    return id;
  }

  /** Edges go after every cluster, so they never pull a node into the wrong box. */
  edge(from: string, to: string, values: Attributes): void {
    this.edges.push(`  ${from} -> ${to}${attributes(values)};`);
  }

  /** A box (Graphviz cluster) around the nodes `draw` adds. */
  cluster<T>(id: string, values: Attributes, draw: () => T): T {
    this.lines.push(`${"  ".repeat(this.depth)}subgraph cluster_${id} {`, `${"  ".repeat(this.depth + 1)}graph${attributes(values)};`);
    this.depth += 1;
    try {
      return draw();
    } finally {
      this.depth -= 1;
      this.lines.push(`${"  ".repeat(this.depth)}}`);
    }
  }

  toString(): string {
    return `digraph ${quote(this.name)} {\n${[...this.lines, ...this.edges].join("\n")}\n}\n`;
  }
}
