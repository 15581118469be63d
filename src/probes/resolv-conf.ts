import { nameserversOf } from "../core/address-pools.js";
import type { ProbeSite } from "../runtime/site.js";

/** What `site`'s /etc/resolv.conf says: its nameserver, search and options lines, and the IPv4 nameservers alone. */
export async function resolvConf(
  site: ProbeSite,
  timeoutMs = 3000,
): Promise<{ lines: string[]; nameservers: string[] }> {
  const output = await site.run(["cat", "/etc/resolv.conf"], timeoutMs);
  return {
    lines: output.stdout.split("\n").filter((line) => /^(nameserver|search|options)\b/.test(line)),
    nameservers: nameserversOf(output.stdout),
  };
}
