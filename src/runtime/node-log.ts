import { readFileSync } from "node:fs";
import type { NodeEngine } from "./node-engine.js";

/** A line a node's dockerd wrote: which node, and the message with its error, as the engine put them. */
export interface NodeLogLine {
  node: string;
  text: string;
}

/** Key material an engine logs with a failed security association: never copied into a report. */
const KEY = /\b(Key: )0x[0-9a-f]+/gi;

/** The lines of each node's dockerd log that match `pattern`, keys hidden, in node order. */
export function nodeLogLines(nodes: NodeEngine[], pattern: RegExp): NodeLogLine[] {
  return nodes.flatMap((node) => {
    let text = "";
    try {
      text = readFileSync(node.plan.logFile, "utf8");
    } catch {
      return [];
    }
    return text
      .split("\n")
      .filter((line) => pattern.test(line))
      .map((line) => ({ node: node.plan.hostname, text: line.replace(KEY, "$1(hidden)") }));
  });
}
