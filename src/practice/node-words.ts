import type { GroupPlan } from "../core/node-plan.js";

/**
 * An exercise's text and commands name its nodes by placeholder, because their sockets and namespaces carry
 * the run id of the group `practice start` starts: {node2} is node 2's `unix://` socket (what docker -H takes),
 * {node2.ns} its network namespace, {node2.address} its underlay address, {underlay.ns} the underlay's namespace.
 */
const NODE_WORD = /\{node(\d+)(?:\.(ns|address))?\}|\{underlay\.ns\}/g;

/** The node numbers a text names, in order of appearance (underlay.ns names none). */
export function nodesNamedIn(text: string): number[] {
  return [...text.matchAll(NODE_WORD)].flatMap((match) => (match[1] === undefined ? [] : [Number(match[1])]));
}

/** The text with each placeholder replaced by what it stands for in `plan`; as written when there is no group. */
export function withNodes(text: string, plan: GroupPlan | undefined): string {
  if (!plan) return text;
  return text.replace(NODE_WORD, (word, index: string | undefined, part: string | undefined) => {
    if (index === undefined) return plan.underlayNamespace;
    const node = plan.nodes[Number(index) - 1];
    if (!node) return word;
    return part === "ns" ? node.name : part === "address" ? node.underlayAddress : node.host;
  });
}

/** The text with each placeholder in words (<node2>, node2's namespace), for reading before any node runs. */
export function nodesInWords(text: string): string {
  return text.replace(NODE_WORD, (_word, index: string | undefined, part: string | undefined) => {
    if (index === undefined) return "the underlay's namespace";
    return part === "ns"
      ? `node${index}'s namespace`
      : part === "address"
        ? `node${index}'s underlay address`
        : `<node${index}>`;
  });
}
