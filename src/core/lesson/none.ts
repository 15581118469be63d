import { declareLab } from "./declare-lab.js";

const NONE_DOCS = "https://docs.docker.com/engine/network/drivers/none/";

export const NONE = declareLab("none", "none: a container with no network", [
  {
    claim: "N1",
    title: "only lo exists, and there are no routes",
    concept:
      "A container started with `--network none` has a network namespace with nothing in it but the loopback interface `lo`. " +
      "No eth0, no address but 127.0.0.1, no routes.",
    why: "The `null` driver creates the namespace and attaches no endpoint: Docker skips the veth pair, the address and the route.",
    docs: NONE_DOCS,
    command: "docker run --rm --network none netlab/probe sh -c 'ip addr; ip route'",
    predict: {
      question: "What interfaces and routes does a `--network none` container have?",
      choices: ["eth0 with no address", "only lo, and no routes", "lo and an eth0 on docker0", "the host's interfaces"],
      answer: 1,
    },
  },
  {
    claim: "N2",
    title: "nothing goes out: sentinel, gateway and bridge containers are unreachable, names do not resolve",
    concept:
      "Nothing leaves a `none` container: every connection fails at once with \"network unreachable\", and name lookups fail. " +
      "It is not a firewall blocking packets: there is simply no route to send them by.",
    why:
      "With no route, the kernel refuses the connect() itself (ENETUNREACH) before any packet is sent; DNS fails the same way " +
      "because the resolver cannot reach any server.",
    docs: NONE_DOCS,
    command: "docker run --rm --network none netlab/probe nc -w 3 172.17.0.1 80 -e true",
    predict: {
      question: "From a `--network none` container, you connect to the bridge's gateway address. What happens?",
      choices: ["it times out after a while", "it fails at once: network unreachable", "it connects through the host", "it is refused"],
      answer: 1,
    },
  },
  {
    claim: "N3",
    title: "nothing comes in: the engine reports no address; a server inside answers only on its own loopback",
    concept:
      "Nothing comes in either: the engine reports no address for a `none` container, so nothing outside can address it. A " +
      "server inside answers only on the container's own loopback.",
    why: "Without an interface other than lo there is no address to reach the namespace at, and no veth to carry a packet in.",
    docs: NONE_DOCS,
    command: "docker run -d --name lonely --network none netlab/probe sleep 1d; docker inspect -f '{{json .NetworkSettings.Networks}}' lonely",
    predict: {
      question: "A server listens on 0.0.0.0:8080 inside a `--network none` container. Who can reach it?",
      choices: ["the host, through docker0", "only the container itself, on its loopback", "anyone who knows the port", "other none containers"],
      answer: 1,
    },
  },
  {
    claim: "N4",
    title: "two none containers cannot talk to each other: each loopback is its own",
    concept:
      "Two `none` containers cannot talk to each other, not even over 127.0.0.1: each has its own loopback, so \"localhost\" " +
      "in one is a different place from \"localhost\" in the other.",
    why: "Loopback belongs to the network namespace; two namespaces have two separate lo interfaces and two separate port spaces.",
    docs: NONE_DOCS,
    command: "docker exec lonely httpd -p 127.0.0.1:8081; docker run --rm --network none netlab/probe nc -w 3 127.0.0.1 8081 -e true",
    predict: {
      question: "Two `--network none` containers: one listens on 127.0.0.1:8081, the other connects to 127.0.0.1:8081. Outcome?",
      choices: ["connected: 127.0.0.1 is shared", "refused: each container has its own loopback", "timed out"],
      answer: 1,
    },
  },
]);
