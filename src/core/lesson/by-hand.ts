import { declareLab } from "./declare-lab.js";

const BRIDGE_DOCS = "https://docs.docker.com/engine/network/drivers/bridge/";
const FIREWALL_DOCS = "https://docs.docker.com/engine/network/packet-filtering-firewalls/";

/**
 * Docker's bridge, rebuilt with `ip` and `iptables` only: the same facts as B2, B6, B7, B8, B9 (and P1), with
 * no Docker object in sight. The commands are what a learner types (as root) to build it step by step.
 */
export const BY_HAND = declareLab("by-hand", "by-hand: Docker's bridge, rebuilt with ip and iptables", [
  {
    claim: "X1",
    title: "ip netns add makes two network namespaces, each with only lo, distinct from the host's and from each other's",
    concept:
      "`ip netns add` makes a network namespace: a fresh network stack with nothing in it but a loopback interface that is " +
      "down. Each namespace is its own world, apart from the host's and from every other, just as each container's is (B6).",
    why:
      "A network namespace is the kernel feature containers are built on: interfaces, addresses, routes, iptables rules and " +
      "ports all belong to one namespace. Docker makes one per container; you can make them by hand.",
    docs: "https://docs.docker.com/engine/network/",
    command: "ip netns add red; ip netns add blue; ip -n red link; readlink /proc/self/ns/net; ip netns exec red readlink /proc/self/ns/net",
  },
  {
    claim: "X2",
    title: "a veth pair between the two namespaces lets them reach each other by address; before it, the address is unreachable",
    concept:
      "A veth pair is a virtual cable with two ends. Put one end in each namespace, give each an address on one subnet, and " +
      "the two namespaces reach each other by address; before the cable they could not (network unreachable).",
    why:
      "What enters one end of a veth pair comes out of the other, whatever namespaces the ends are in. This is the cable " +
      "Docker plugs into every bridge container (eth0@ifN, B7).",
    docs: BRIDGE_DOCS,
    command:
      "ip link add veth-red type veth peer name veth-blue; ip link set veth-red netns red; ip link set veth-blue netns blue; " +
      "ip -n red addr add 10.213.0.249/30 dev veth-red; ip -n blue addr add 10.213.0.250/30 dev veth-blue; " +
      "ip -n red link set veth-red up; ip -n blue link set veth-blue up; ip netns exec red ping -c1 10.213.0.250",
  },
  {
    claim: "X3",
    title: "a Linux bridge on the host holds the gateway address; each namespace's eth0@ifN is a veth whose other end is on the bridge, indexes matching",
    concept:
      "A pair joins two namespaces; a Linux bridge joins any number, and the host too. Make a bridge, give it the gateway " +
      "address, and plug one end of a veth pair per namespace into it: that is docker0 (B2) and a container's eth0@ifN with " +
      "its veth on docker0 (B7).",
    why:
      "A Linux bridge is a virtual switch. `ip link set … master BRIDGE` plugs a veth end into it; an address on the bridge " +
      "makes the host a member of the segment, which is what lets it route for the namespaces.",
    docs: BRIDGE_DOCS,
    command:
      "ip link add v-net type bridge; ip addr add 10.213.0.1/24 dev v-net; ip link set v-net up; " +
      "ip link add veth-red-br type veth peer name eth0 netns red; ip link set veth-red-br master v-net up; " +
      "ip -n red addr add 10.213.0.2/24 dev eth0; ip -n red link set eth0 up; ip -o link show master v-net",
  },
  {
    claim: "X4",
    title: "across the bridge the namespaces reach each other, and the host reaches them, by address",
    concept:
      "Across the bridge, the namespaces reach each other by address, and the host reaches them, as bridge containers do (B8). " +
      "A closed port answers with a refusal: the packet got there.",
    why:
      "The bridge switches frames between its ports. Where the host's FORWARD policy is DROP (Docker sets it so), bridged " +
      "traffic also needs an iptables ACCEPT for the bridge, as Docker adds for docker0.",
    docs: BRIDGE_DOCS,
    command: "iptables -A FORWARD -i v-net -j ACCEPT; ip netns exec blue busybox httpd -p 10.213.0.3:8080; ip netns exec red busybox nc -w 3 10.213.0.3 8080 -e true && echo connected",
  },
  {
    claim: "X5",
    title: "a default route via the bridge takes a namespace out to the sentinel, which sees its own address until a MASQUERADE rule makes it the host's (NAT)",
    concept:
      "To get out, a namespace needs a default route via the bridge's address; then the host forwards its packets. The " +
      "outside still sees the namespace's private address until a MASQUERADE rule makes it see the host's, exactly as Docker " +
      "does for docker0 (B9).",
    why:
      "Routing alone keeps the source address; the nat table's POSTROUTING MASQUERADE rewrites it to the address of the " +
      "interface the packet leaves by, and conntrack translates the replies back. Docker adds one such rule per bridge subnet.",
    docs: FIREWALL_DOCS,
    command:
      "ip -n red route add default via 10.213.0.1; iptables -A FORWARD -o v-net -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT; " +
      "iptables -t nat -A POSTROUTING -s 10.213.0.0/24 ! -o v-net -j MASQUERADE",
  },
  {
    claim: "X6",
    title: "a DNAT rule lets the sentinel reach a namespace's server at a host port; straight at the namespace's address it is dropped",
    concept:
      "To let the outside in, a DNAT rule maps a port of the host to a namespace's server: that is what `-p` does (P1). The " +
      "outside reaches the server through the host's port, while going straight for the namespace's private address is dropped.",
    why:
      "The nat table's PREROUTING DNAT rewrites the destination before routing, so the packet is forwarded to the namespace; " +
      "a filter rule accepts forwarded connections only when they were DNATed (or are replies), as Docker's DOCKER chain does.",
    docs: "https://docs.docker.com/engine/network/port-publishing/",
    command:
      "iptables -t nat -A PREROUTING -p tcp --dport 8088 -j DNAT --to-destination 10.213.0.3:8080; " +
      "iptables -A FORWARD -o v-net -m conntrack --ctstate DNAT -j ACCEPT; iptables -A FORWARD -o v-net -j DROP",
  },
]);
