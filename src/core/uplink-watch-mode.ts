/**
 * `netlab`: a packet counts when netlab sent it (its containers, networks and namespaces, before NAT);
 * `strict`: every packet on the uplink counts, whoever sent it (for a machine that is otherwise idle, as CI's).
 */
export type UplinkWatchMode = "netlab" | "strict";

export class UplinkWatchError extends Error {
  override name = "UplinkWatchError";
}

/** NETLAB_UPLINK_WATCH's value as a mode: `1` netlab's packets, `strict` every packet, unset or `0` no watch. */
export function uplinkWatchMode(value: string | undefined): UplinkWatchMode | undefined {
  if (value === undefined || value === "" || value === "0") return undefined;
  if (value === "1") return "netlab";
  if (value === "strict") return "strict";
  throw new UplinkWatchError(
    `NETLAB_UPLINK_WATCH=${value} is not a watch: use 1 (the packets netlab sends) or strict (every packet on the uplink)`,
  );
}
