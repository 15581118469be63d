import { declareLab } from "./declare-lab.js";

export const INTERNAL = declareLab("internal", "internal: a network with no way out", [
  {
    claim: "I1",
    title: "members of an --internal network reach each other, but nothing reaches the sentinel",
    concept:
      "An `--internal` network connects its members to each other and to nothing else: no way out, not even through NAT. " +
      "Good for a database that only its app should reach.",
    why:
      "The engine adds no masquerade rule for it and drops whatever leaves the subnet; from Engine 25.0 the members get no " +
      "default route at all, so connections out fail at once instead of timing out.",
    docs: "https://docs.docker.com/reference/cli/docker/network/create/#internal",
    command: "docker network create --internal data; docker run --rm --network data netlab/probe ip route",
  },
]);
