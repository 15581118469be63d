import { declareLab } from "./declare-lab.js";

const MACVLAN_DOCS = "https://docs.docker.com/engine/network/drivers/macvlan/";
const IPVLAN_DOCS = "https://docs.docker.com/engine/network/drivers/ipvlan/";
const IPVLAN_TO_RUN =
  "a kernel with the ipvlan module (CONFIG_IPVLAN; `modprobe ipvlan` on the host, or a kernel that has it built in); the " +
  "claim is skipped, with the kernel's own error, where the engine cannot create an ipvlan link";

export const MACVLAN = declareLab("macvlan", "macvlan and ipvlan: containers on a parent interface's segment", [
  {
    claim: "M1",
    title: "a macvlan network on a parent netlab made gives containers their own MAC and an address on the segment; members reach each other",
    concept:
      "A macvlan network puts containers straight onto a physical segment through a parent interface: each container gets " +
      "a MAC address of its own and an address on the segment, like another machine on the LAN. Members reach each other.",
    why:
      "The kernel's macvlan driver creates child interfaces of the parent, each with its own MAC; in bridge mode (Docker's " +
      "default) the kernel switches frames between children itself. netlab uses a veth pair of its own as the parent, never your uplink.",
    docs: MACVLAN_DOCS,
    command: "docker network create -d macvlan --subnet 10.213.8.0/24 -o parent=PARENT seg; docker run --rm --network seg netlab/probe ip -o link show eth0",
  },
  {
    claim: "M2",
    title: "a macvlan container cannot reach the host through the parent; a bridge container can, and the segment's neighbour is reached",
    concept:
      "A macvlan container cannot talk to its own host through the parent, although machines beyond the parent reach it. " +
      "This surprises everyone once; the fix is a macvlan interface for the host too.",
    why:
      "macvlan children are deliberately isolated from the parent's own stack: frames from a child to the parent's address " +
      "are never delivered to the host, and the host's packets for a child leave by the parent without looping back.",
    docs: MACVLAN_DOCS,
    command: "docker run --rm --network seg netlab/probe nc -w 3 HOST_ADDRESS_ON_PARENT 22 -e true   # times out",
  },
  {
    claim: "M3a",
    title: "ipvlan l2: containers share the parent's MAC, get addresses on the segment and reach each other",
    concept:
      "ipvlan in L2 mode is like macvlan, but every container shares the parent's MAC address; only the IP addresses differ. " +
      "Useful where a switch allows one MAC per port.",
    why: "ipvlan children share the parent's MAC and the kernel demultiplexes by IP; in l2 mode they are on the parent's segment and switch among themselves.",
    docs: IPVLAN_DOCS,
    command: "docker network create -d ipvlan -o ipvlan_mode=l2 --subnet 10.213.7.0/24 -o parent=PARENT l2net; docker run --rm --network l2net netlab/probe ip -o link show eth0",
    toRun: IPVLAN_TO_RUN,
  },
  {
    claim: "M3b",
    title: "ipvlan l3: containers route through the parent with no gateway and reach each other",
    concept:
      "ipvlan in L3 mode routes instead of switching: containers get a default route out of eth0 with no gateway, and the " +
      "parent acts as a router between them.",
    why: "In l3 mode the kernel routes between ipvlan children at layer 3 and never forwards broadcasts, so no gateway address is needed on the segment.",
    docs: IPVLAN_DOCS,
    command: "docker network create -d ipvlan -o ipvlan_mode=l3 --subnet 10.213.6.0/24 -o parent=PARENT l3net; docker run --rm --network l3net netlab/probe ip route",
    toRun: IPVLAN_TO_RUN,
  },
]);
