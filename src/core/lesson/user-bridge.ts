import { declareLab } from "./declare-lab.js";

const BRIDGE_DOCS = "https://docs.docker.com/engine/network/drivers/bridge/";

export const USER_BRIDGE = declareLab("user-bridge", "user-bridge: a user-defined bridge network", [
  {
    claim: "U1",
    title: "a new network gets the next subnet from the engine's address pools and a br-<id> bridge on the host",
    concept:
      "`docker network create` makes a new bridge network: a new subnet taken from the engine's address pools, and a new " +
      "Linux bridge on the host named `br-` plus the start of the network's id.",
    why:
      "The bridge driver creates one Linux bridge per network; the subnet comes from `default-address-pools` (by default " +
      "172.17.0.0/16 to 172.31.0.0/16, then 192.168.0.0/16 cut into /20s), the engine carrying on from the pool it handed out last.",
    docs: BRIDGE_DOCS,
    command: "docker network create app; docker network inspect app -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}'; ip -o link show type bridge",
  },
  {
    claim: "U2",
    title: "the embedded DNS server at 127.0.0.11 resolves names and aliases on the same network, not names on others",
    concept:
      "On a user-defined network, containers find each other by name (and by alias): the engine runs a DNS server at " +
      "127.0.0.11 inside each container. It answers only for containers on the networks you share.",
    why: "The embedded DNS server knows each network's members; names of containers on other networks are not in the answer.",
    docs: "https://docs.docker.com/engine/network/#dns-services",
    command: "docker run -d --name web --network app netlab/probe sleep 1d; docker run --rm --network app netlab/probe nslookup web 127.0.0.11",
  },
  {
    claim: "U3",
    title: "two user-defined networks are isolated; a container connected to both reaches both until disconnected",
    concept:
      "Two user-defined networks are isolated from each other. A container connected to both (`docker network connect`) " +
      "reaches both, and `disconnect` takes that away again, while it runs.",
    why:
      "The engine's isolation rules (DOCKER-ISOLATION chains) drop traffic from one bridge to another; a container on both " +
      "has an interface in each, so it needs no forwarding.",
    docs: "https://docs.docker.com/reference/cli/docker/network/connect/",
    command: "docker network create back; docker network connect back web; docker exec web ip -o -4 addr; docker network disconnect back web",
  },
  {
    claim: "U4",
    title: "custom --subnet, --gateway, --ip-range and a fixed --ip are honoured; --ip on the default bridge is refused",
    concept:
      "You can choose a network's `--subnet`, `--gateway` and `--ip-range`, and a container's fixed `--ip` on it. A fixed " +
      "`--ip` is refused on the default bridge.",
    why: "User-defined networks have their own IPAM configuration; the default bridge's addresses belong to the daemon's settings, so fixed addresses are only allowed on user-defined networks.",
    docs: "https://docs.docker.com/reference/cli/docker/network/create/",
    command: "docker network create --subnet 10.213.9.0/24 --gateway 10.213.9.254 --ip-range 10.213.9.64/26 fixed; docker run --rm --network fixed --ip 10.213.9.10 netlab/probe ip -o -4 addr",
  },
  {
    claim: "U5",
    title: "the default bridge has no name resolution; a user-defined one does",
    concept:
      "The default bridge has no name resolution between containers; a user-defined bridge does. That is the main reason to " +
      "create your own network even on one host.",
    why: "The embedded DNS server serves user-defined networks; on the default bridge containers get the host's resolv.conf and only legacy `--link` adds names.",
    docs: "https://docs.docker.com/engine/network/drivers/bridge/#differences-between-user-defined-bridges-and-the-default-bridge",
    command: "docker run -d --name a netlab/probe sleep 1d; docker run --rm netlab/probe nslookup a",
  },
]);
