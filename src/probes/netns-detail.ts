import { execa } from "execa";
import { parseAddresses, parseLinks, parseRoutes, type NetView } from "./net-view.js";

/**
 * A network namespace (a container's `/proc/<pid>/ns/net`, or one the engine keeps under /var/run/docker/netns)
 * seen from the host with iproute2 in detail, so link kinds show: busybox `ip` inside a container has no `-d`.
 */
export async function observeNamespaceDetail(netnsPath: string, timeoutMs = 5000): Promise<NetView> {
  const run = async (...args: string[]) =>
    String(
      (await execa("nsenter", [`--net=${netnsPath}`, "ip", ...args], { timeout: timeoutMs, stdin: "ignore" })).stdout,
    );
  const [links, addresses, routes] = await Promise.all([
    run("-d", "-o", "link"),
    run("-o", "-4", "addr"),
    run("-4", "route"),
  ]);
  return { links: parseLinks(links), addresses: parseAddresses(addresses), routes: parseRoutes(routes) };
}

/** What `ip -d` says of one link's kind (`macvlan mode bridge …`, `vxlan id 4097 … dstport 4789 …`), as it prints it. */
export async function linkKindDetail(netnsPath: string, link: string, timeoutMs = 5000): Promise<string> {
  const result = await execa("nsenter", [`--net=${netnsPath}`, "ip", "-d", "-o", "link", "show", "dev", link], {
    timeout: timeoutMs,
    stdin: "ignore",
  });
  return kindSegment(String(result.stdout));
}

/** The third `\`-separated segment of an `ip -d -o link` line: the one that starts with the link's kind. */
export function kindSegment(line: string): string {
  return (line.split(/\\\s+/)[2] ?? "").trim();
}
