import { declareLab } from "./declare-lab.js";

const CONTAINER_DOCS = "https://docs.docker.com/engine/network/#container-networks";

export const CONTAINER = declareLab("container", "container: a container that joins another's network namespace", [
  {
    claim: "C1",
    title: "the joined container shares the target's network namespace, addresses and interfaces",
    concept:
      "`--network container:<name>` puts a new container into another container's network namespace. Both see the same " +
      "interfaces and the same addresses: two containers, one network stack.",
    why: "Instead of creating a namespace, the engine joins the new container's processes to the target's (what `nsenter --net` does).",
    docs: CONTAINER_DOCS,
    command: "docker run -d --name app netlab/probe sleep 1d; docker run --rm --network container:app netlab/probe ip -o addr",
    predict: {
      question: "A container joins another with `--network container:app`. Which address does it have?",
      choices: ["a new one on the default bridge", "app's address: they share one network stack", "none: only loopback"],
      answer: 1,
    },
  },
  {
    claim: "C2",
    title: "the joined container and the target talk over 127.0.0.1",
    concept:
      "Containers sharing a namespace talk over 127.0.0.1, like two processes on one machine. This is the sidecar pattern " +
      "(and how a Kubernetes pod's containers talk).",
    why: "They share the loopback interface and the port space, so a server on 127.0.0.1 in one is on 127.0.0.1 for the other.",
    docs: CONTAINER_DOCS,
    command: "docker exec app httpd -p 127.0.0.1:8080; docker run --rm --network container:app netlab/probe nc -w 3 127.0.0.1 8080 -e true && echo connected",
  },
  {
    claim: "C3",
    title: "options that cannot apply in container mode are refused by the engine: -p, --hostname, --dns, joining itself",
    concept:
      "Options that configure a network stack are refused in container mode: `-p`, `--hostname`, `--dns`. The stack belongs " +
      "to the target, so it is set there; joining your own namespace is refused too.",
    why: "The engine validates the host config: these options conflict with a network mode that has no stack of its own to configure.",
    docs: "https://docs.docker.com/reference/cli/docker/container/run/#network",
    command: "docker run --rm --network container:app -p 8080:80 netlab/probe true   # conflicting options",
  },
  {
    claim: "C4",
    title: "when the target stops, the joined container keeps running with only loopback left; the engine refuses new joins",
    concept:
      "When the target stops, a container that joined it keeps running, but with only loopback left: the target's eth0 went " +
      "away with the target's network. New containers can no longer join a stopped target.",
    why:
      "The veth endpoint belongs to the target's network attachment, which the engine removes when the target stops; the " +
      "namespace itself lives on while any process holds it.",
    docs: CONTAINER_DOCS,
    command: "docker run -d --name side --network container:app netlab/probe sleep 1d; docker stop app; docker exec side ip -o addr",
  },
]);
