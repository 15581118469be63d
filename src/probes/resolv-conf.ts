import { nameserversOf } from "../core/address-pools.js";
import type { ProbeSite } from "../runtime/site.js";

/** Docker's embedded DNS server, the nameserver of every container on a user-defined network. */
export const EMBEDDED_DNS = "127.0.0.11";

/** What an /etc/resolv.conf configures, as the resolver reads it. */
export interface ResolverConfig {
  nameservers: string[];
  /** The `search` list (a `domain` line, as the last of the two written, counts as a search list of one). */
  search: string[];
  options: string[];
  /**
   * The servers Docker's embedded DNS forwards to, when the engine wrote them into the file (engines 25 and
   * later write `# ExtServers: [host(192.168.65.7) 10.0.0.53]`); absent when the file does not say.
   */
  extServers?: string[];
}

/** Reads an /etc/resolv.conf; lines may also be separated by `;` (a probe's one-line output). */
export function parseResolvConf(text: string): ResolverConfig {
  const config: ResolverConfig = { nameservers: [], search: [], options: [] };
  for (const line of text.split(/[\n;]/).map((each) => each.trim())) {
    const ext = /^#\s*ExtServers:\s*\[(.*)\]/.exec(line);
    if (ext) {
      // `host(ADDRESS)` marks a server taken from the host's resolv.conf: the address is what it forwards to.
      config.extServers = (ext[1] ?? "")
        .split(/\s+/)
        .filter(Boolean)
        .map((server) => server.replace(/^host\((.*)\)$/, "$1"));
      continue;
    }
    const [keyword, ...values] = line.replace(/[#;].*/, "").split(/\s+/);
    if (keyword === "nameserver" && values[0]) config.nameservers.push(values[0]);
    else if (keyword === "search" || keyword === "domain") config.search = values;
    else if (keyword === "options") config.options.push(...values);
  }
  return config;
}

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
