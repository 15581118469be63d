import ipaddr from "ipaddr.js";

/** One line of an /etc/hosts file: an address and the names it answers for. */
export interface HostsEntry {
  address: string;
  names: string[];
}

/**
 * The entries of an /etc/hosts file, in order; comments and lines whose first field is no address are skipped.
 * Lines may also be separated by `;` (a probe joins them so a batch's one-line output keeps them apart).
 */
export function parseHostsFile(text: string): HostsEntry[] {
  return text.split(/[\n;]/).flatMap((line) => {
    const [address, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    return address && names.length > 0 && ipaddr.isValid(address) ? [{ address, names }] : [];
  });
}

/**
 * The addresses /etc/hosts gives `name`, in file order: every line naming it (as musl does, and glibc with
 * `multi on`), compared without case as resolvers do.
 */
export function hostsAddresses(entries: readonly HostsEntry[], name: string): string[] {
  const wanted = name.toLowerCase();
  const found = entries.filter((entry) => entry.names.some((each) => each.toLowerCase() === wanted));
  return [...new Set(found.map((entry) => entry.address))];
}
