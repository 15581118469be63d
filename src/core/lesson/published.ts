import { declareLab } from "./declare-lab.js";

const PUBLISH_DOCS = "https://docs.docker.com/engine/network/port-publishing/";

export const PUBLISHED = declareLab("published", "published ports: -p maps a host port to a bridge container", [
  {
    claim: "P1",
    title: "-p HOST:CONTAINER makes a server in a bridge container answer on the host port, from the host and from the sentinel; without -p the sentinel cannot reach it",
    concept:
      "`-p HOST:CONTAINER` makes a container's server answer on a port of the host, for the host and for machines outside. " +
      "Without `-p`, the outside cannot reach the container's server at all.",
    why:
      "The engine adds a DNAT rule (nat table, DOCKER chain) that rewrites the destination host:port to container:port, and " +
      "a filter rule accepting it; docker-proxy covers connections from the host itself.",
    docs: PUBLISH_DOCS,
    command: "docker run -d --name web -p 8080:80 netlab/probe httpd -f -p 80; docker port web; sudo iptables -t nat -S DOCKER",
  },
  {
    claim: "P1b",
    title: "the sentinel reaching a published container port straight at the container's address: as the engine's version documents",
    concept:
      "A published port may be reachable at the container's own address too, from another machine that routes to the " +
      "bridge. Whether it is depends on the engine's version: older engines let it in, Engine 28.0 and later drop it.",
    why:
      "Before 28.0 the rule that accepts a published port matches the container's address and port from any interface but " +
      "the bridge, so a routed packet passes. From 28.0 the engine drops, in the raw table, packets from outside the host " +
      "addressed straight to a container, unless the daemon sets allow-direct-routing (28.2) or trusts the interface.",
    docs: "https://docs.docker.com/engine/network/packet-filtering-firewalls/",
    command: "sudo iptables -S DOCKER; sudo iptables -t raw -S PREROUTING   # 28.0+: DROP rules for container addresses",
  },
  {
    claim: "P2",
    title: "-p 127.0.0.1:PORT:CONTAINER answers on loopback only, not from the sentinel",
    concept:
      "`-p 127.0.0.1:PORT:CONTAINER` publishes on loopback only: the host reaches the server, other machines do not. Bind " +
      "addresses are how you keep a port private to the host.",
    why: "The DNAT rule and docker-proxy match only destination 127.0.0.1, so packets to the host's other addresses find nothing.",
    docs: PUBLISH_DOCS,
    command: "docker run -d --name local -p 127.0.0.1:8443:80 netlab/probe httpd -f -p 80; ss -ltn | grep 8443",
  },
  {
    claim: "P3",
    title: "publishing a host port that is already allocated fails with the engine's message; the first container keeps serving",
    concept:
      "A host port can be published once. A second container asking for a port already allocated is refused with \"port is " +
      "already allocated\", and the first keeps serving.",
    why: "The engine keeps a table of host ports in use (and docker-proxy must bind the port); it refuses to start a container whose mapping clashes.",
    docs: PUBLISH_DOCS,
    command: "docker run -d -p 127.0.0.1:8443:80 netlab/probe sleep 1d   # Bind for 127.0.0.1:8443 failed: port is already allocated",
  },
]);
