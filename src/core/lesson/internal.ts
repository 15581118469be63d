import type { Lesson } from "./types.js";

export const INTERNAL: Lesson[] = [
  {
    claim: "I1",
    lab: "internal",
    concept:
      "An `--internal` network connects its members to each other and to nothing else: no way out, not even through NAT. " +
      "Good for a database that only its app should reach.",
    why:
      "The engine adds no masquerade rule for it and drops whatever leaves the subnet; from Engine 25.0 the members get no " +
      "default route at all, so connections out fail at once instead of timing out.",
    docs: "https://docs.docker.com/reference/cli/docker/network/create/#internal",
    command: "docker network create --internal data; docker run --rm --network data netlab/probe ip route",
  },
];
