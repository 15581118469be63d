import { declareLab } from "./declare-lab.js";

const BRIDGE_DOCS = "https://docs.docker.com/engine/network/drivers/bridge/";

export const BRIDGE = declareLab("bridge", "bridge: the default network is the host's docker0", [
  {
    claim: "B1",
    title: "a fresh engine has networks bridge (bridge), host (host) and none (null)",
    concept:
      "A Docker engine comes with three networks before you create any: `bridge`, `host` and `none`. Each is backed by a driver " +
      "of the same idea: a private bridge on the host, the host's own stack, or nothing at all.",
    why:
      "The engine creates these three at start-up so that `--network bridge|host|none` always means something; they cannot be " +
      "removed. The `none` network uses the `null` driver, which attaches nothing.",
    docs: "https://docs.docker.com/engine/network/",
    command: "docker network ls",
    predict: {
      question: "On a fresh engine, before you create anything, what does `docker network ls` list?",
      choices: ["nothing until you create a network", "bridge, host and none", "only bridge", "one network per running container"],
      answer: 1,
    },
  },
  {
    claim: "B2",
    title: "the bridge network is the host interface docker0, a Linux bridge holding the gateway address",
    concept:
      "The `bridge` network is not hidden inside dockerd: it is a real Linux bridge on the host called `docker0`, a virtual " +
      "switch. The host itself sits on that switch, holding the network's gateway address.",
    why:
      "Docker's bridge driver does what `ip link add docker0 type bridge` and `ip addr add 172.17.0.1/16 dev docker0` do. " +
      "Giving the bridge an address makes the host a member of the segment, so it can route for the containers.",
    docs: BRIDGE_DOCS,
    command: "ip -d link show docker0; ip -4 addr show docker0; docker network inspect bridge -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}'",
    predict: {
      question: "What is the `bridge` network, seen from the host?",
      choices: [
        "nothing visible: it lives inside dockerd",
        "a Linux bridge interface named docker0 that holds the gateway address",
        "the host's own eth0",
        "a VPN tunnel to the registry",
      ],
      answer: 1,
    },
  },
  {
    claim: "B3",
    title: "docker run without --network attaches the container to bridge",
    concept:
      "When you `docker run` without `--network`, the container lands on the default `bridge` network. You get networking " +
      "without asking for it.",
    why: "The engine's default network mode for a container is `bridge` (HostConfig.NetworkMode \"default\" means bridge on Linux).",
    docs: "https://docs.docker.com/engine/network/",
    command: "docker run -d --name a netlab/probe sleep 1d; docker inspect -f '{{json .NetworkSettings.Networks}}' a",
    predict: {
      question: "`docker run` with no --network option: which network is the container on?",
      choices: ["none: it has only loopback", "the host's network", "the default bridge network", "a new network made just for it"],
      answer: 2,
    },
  },
  {
    claim: "B4",
    title: "the address lies in 172.17.0.0/16 and in the engine's bridge subnet; the default route is the gateway",
    concept:
      "A bridge container gets an address in the bridge's subnet (172.17.0.0/16 unless the engine was told otherwise) and a " +
      "default route through the gateway on docker0. Everything not on the subnet leaves through the host.",
    why:
      "Docker's IPAM hands each endpoint an address from the network's subnet and sets the container's default route to the " +
      "bridge's address; `--bip` or `default-address-pools` in daemon.json move the subnet.",
    docs: BRIDGE_DOCS,
    command: "docker exec a ip -4 addr show eth0; docker exec a ip route",
    predict: {
      question: "Which address and default route does a bridge container get?",
      choices: [
        "an address from your LAN's DHCP server, and the LAN's router",
        "an address in the bridge subnet (172.17.0.0/16 by default), with the bridge's gateway as default route",
        "only 127.0.0.1, and no route",
        "the host's own address",
      ],
      answer: 1,
    },
  },
  {
    claim: "B5",
    title: "addresses are handed out in order: each container gets the lowest free address",
    concept:
      "Addresses on a bridge are handed out in order: the first container on an empty bridge gets .2, the next .3, and so on; " +
      "a freed address is handed out again. Addresses are not random, but they are not stable across restarts either.",
    why:
      "libnetwork's IPAM allocates the lowest free address of the subnet each time (the gateway holds .1). This is why scripts " +
      "should use names or `docker inspect`, not remembered addresses.",
    docs: "https://docs.docker.com/engine/network/#ip-address-and-hostname",
    command: "for n in a b c; do docker run -d --name $n netlab/probe sleep 1d; done; docker inspect -f '{{.Name}} {{.NetworkSettings.IPAddress}}' a b c",
    predict: {
      question: "Three containers start one after another on an empty default bridge. Which addresses do they get?",
      choices: ["random ones in the subnet", ".2, .3, .4: the lowest free each time", "all the same address", ".254, .253, .252: from the top"],
      answer: 1,
    },
  },
  {
    claim: "B6",
    title: "each container has its own network namespace, distinct from the host's and from each other's",
    concept:
      "Each bridge container has a network namespace of its own: its own interfaces, addresses, routes and ports, separate from " +
      "the host's and from every other container's.",
    why:
      "The engine creates a new network namespace per container (unless told to share one) and moves one end of a veth pair " +
      "into it; a namespace is what `ip netns add` makes by hand.",
    docs: "https://docs.docker.com/engine/network/",
    command: "readlink /proc/self/ns/net /proc/$(docker inspect -f '{{.State.Pid}}' a)/ns/net /proc/$(docker inspect -f '{{.State.Pid}}' b)/ns/net",
    predict: {
      question: "Do two containers on the default bridge share a network namespace?",
      choices: ["yes: all containers share one", "yes: they share the host's", "no: each has its own, distinct from the host's and each other's"],
      answer: 2,
    },
  },
  {
    claim: "B7",
    title: "eth0@ifN inside is one end of a veth pair whose other end is a veth* on docker0, indexes matching",
    concept:
      "Inside the container, `eth0@ifN` is one end of a virtual cable (a veth pair). The other end, interface number N on the " +
      "host, is a `veth…` plugged into docker0.",
    why:
      "A veth pair is two interfaces joined back to back: what goes in one comes out of the other. Docker puts one end in the " +
      "container's namespace (renamed eth0) and attaches the other to the bridge with `ip link set … master docker0`.",
    docs: BRIDGE_DOCS,
    command: "docker exec a ip -o link show eth0; ip -o link show master docker0",
    predict: {
      question: "Inside a bridge container, eth0 shows as `eth0@ifN`. What is N?",
      choices: [
        "the container's number",
        "the index of the other end of a veth pair: a veth… interface on docker0 on the host",
        "a VLAN id",
        "the index of the host's eth0",
      ],
      answer: 1,
    },
  },
  {
    claim: "B8",
    title: "bridge containers reach each other by IP",
    concept:
      "Containers on the same bridge reach each other directly by IP address, like machines plugged into the same switch. A " +
      "port where nothing listens answers with a refusal, which proves the packet got there.",
    why:
      "The bridge forwards frames between its ports, and the engine's iptables rules accept traffic from docker0 to docker0 " +
      "(inter-container communication, `icc`, is on by default).",
    docs: BRIDGE_DOCS,
    command: "docker exec b httpd -p 8080; docker exec a nc -w 3 $(docker inspect -f '{{.NetworkSettings.IPAddress}}' b) 8080 -e true && echo connected",
    predict: {
      question: "Container a connects to container b's IP on the default bridge: first to a port where b listens, then to a port nothing listens on. Outcomes?",
      choices: ["connected, then refused", "timed out both times: the bridge isolates containers", "connected both times", "network unreachable both times"],
      answer: 0,
    },
  },
  {
    claim: "B9",
    title: "a bridge container reaches the outside sentinel, which sees the host's address, not the container's (NAT)",
    concept:
      "A bridge container can open connections to the outside world, and the outside sees the host's address, never the " +
      "container's private one. The host translates the source address on the way out (NAT).",
    why:
      "The engine adds an iptables rule `-t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE`: packets leaving " +
      "the host from the bridge subnet get the outgoing interface's address, and replies are translated back.",
    docs: "https://docs.docker.com/engine/network/packet-filtering-firewalls/",
    command: "sudo iptables -t nat -S POSTROUTING | grep MASQUERADE",
    predict: {
      question: "A bridge container connects to a server outside the host. Which source address does that server see?",
      choices: ["the container's 172.17.x.x address", "the host's address (NAT: masquerading)", "127.0.0.1", "the gateway 172.17.0.1"],
      answer: 1,
    },
  },
]);
