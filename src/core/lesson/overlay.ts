import { declareLab } from "./declare-lab.js";

export const OVERLAY = declareLab("overlay", "overlay: a network across a swarm, here of one node", [
  {
    claim: "O1",
    title: "an attachable overlay network on a swarm netlab made gives containers addresses on its subnet and lets them reach each other by name",
    concept:
      "An overlay network spans the hosts of a swarm: containers on it get addresses on one shared subnet and find each other " +
      "by name, wherever they run. Here the swarm has one node, which is enough to see the machinery.",
    why:
      "The overlay driver carries container traffic between hosts inside VXLAN packets; the engine keeps a namespace per " +
      "overlay holding a bridge and a vxlan link, and containers also join docker_gwbridge for their way out.",
    docs: "https://docs.docker.com/engine/network/drivers/overlay/",
    command: "docker swarm init --advertise-addr 127.0.0.1; docker network create -d overlay --attachable ov; docker run --rm --network ov netlab/probe ip -o -4 addr",
    toRun:
      "a kernel with vxlan (CONFIG_VXLAN) and an engine in no swarm (or a single-node swarm netlab made): netlab never joins " +
      "or changes a swarm someone else made; `docker swarm leave --force` on a test machine lets it run",
  },
]);
