import type { ViewAddress, ViewLink } from "./lab-view.js";

/** How the topology pictures draw each kind of thing, shared by the host's picture and the nodes'. */
export const COLORS = {
  namespace: { style: "rounded,filled", fillcolor: "#e8f1fb", color: "#4a78b0" },
  host: { style: "rounded,filled", fillcolor: "#f2f2f2", color: "#666666" },
  sentinel: { style: "rounded,filled", fillcolor: "#fde9e7", color: "#b0504a" },
  bridge: { shape: "box", style: "filled", fillcolor: "#fff2cc" },
};

/** An interface as drawn: its name, the index its other end has, its own index and kind, then its addresses. */
export function linkLabel(link: ViewLink, addresses: ViewAddress[]): string {
  const peer = link.peerIndex !== undefined ? `@if${link.peerIndex}` : "";
  const kind = link.kind ? ` (${link.kind})` : "";
  const cidrs = addresses.filter((address) => address.interface === link.name).map((address) => address.cidr);
  return [`${link.name}${peer}  #${link.index}${kind}`, ...cidrs].join("\n");
}

export const isBridge = (link: ViewLink, bridgeName?: string) =>
  link.kind === "bridge" || link.name === bridgeName || /^(docker\d+|br-[0-9a-f]+)$/.test(link.name);
