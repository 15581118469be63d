import { execa } from "execa";

/**
 * A link's MTU in a network namespace (a container's `/proc/<pid>/ns/net`, a node's `/var/run/netns/<name>`),
 * read from the host with iproute2; undefined when the link is not there.
 */
export async function linkMtu(netnsPath: string, link: string, timeoutMs = 5000): Promise<number | undefined> {
  const result = await execa("nsenter", [`--net=${netnsPath}`, "ip", "-o", "link", "show", "dev", link], {
    timeout: timeoutMs,
    stdin: "ignore",
    reject: false,
  });
  const mtu = /\bmtu (\d+)/.exec(String(result.stdout))?.[1];
  return mtu === undefined ? undefined : Number(mtu);
}
