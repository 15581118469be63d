import { declareLab } from "./declare-lab.js";

const HOST_DOCS = "https://docs.docker.com/engine/network/drivers/host/";

export const HOST = declareLab("host", "host: the container shares the host's network stack", [
  {
    claim: "H1",
    title: "the container shares the host's network namespace and sees the host's interfaces, docker0 included",
    concept:
      "A `--network host` container has no network namespace of its own: it uses the host's. It sees exactly the host's " +
      "interfaces, docker0 included, and the host's routes and ports.",
    why: "With the host driver the engine simply does not create a network namespace; the container's processes stay in the host's.",
    docs: HOST_DOCS,
    command: "docker run --rm --network host netlab/probe ip -o link; ip -o link",
    predict: {
      question: "A `--network host` container runs `ip link`. What does it see?",
      choices: ["only lo and eth0", "the host's interfaces, docker0 included", "nothing: host mode hides interfaces"],
      answer: 1,
    },
  },
  {
    claim: "H2",
    title: "a server on port 80 inside answers on the host with no port mapping",
    concept:
      "A server in a host-mode container listens straight on the host: port 80 inside is port 80 of the host, with no `-p`. " +
      "There is no translation because there is nothing to translate between.",
    why: "The server binds a socket in the host's network namespace, so it is the host's port; `-p` exists only to bridge two namespaces.",
    docs: HOST_DOCS,
    command: "docker run -d --name web --network host netlab/probe httpd -f -p 127.0.0.1:8080; busybox nc -w 3 127.0.0.1 8080 -e true && echo answered",
    predict: {
      question: "A server on port 80 in a host-mode container, started without -p. Does the host's 127.0.0.1:80 answer?",
      choices: ["no: it needs -p 80:80", "yes: the container uses the host's network stack", "only from other containers"],
      answer: 1,
    },
  },
  {
    claim: "H3",
    title: "a second host-mode container on the same port fails with address in use; the first keeps answering",
    concept:
      "Two host-mode containers share one set of ports. A second server on a port the first already holds fails with " +
      "\"address in use\", just as two programs on the host would; the first keeps serving.",
    why: "Both bind in the same namespace; the kernel allows one listener per address and port (without SO_REUSEPORT).",
    docs: HOST_DOCS,
    command: "docker run --rm --network host netlab/probe httpd -f -p 127.0.0.1:8080",
    predict: {
      question: "A second host-mode container starts a server on the port the first one serves on. Result?",
      choices: [
        "both serve, load-balanced",
        "the second fails with address in use; the first keeps answering",
        "the second takes the port over",
        "Docker moves the second to another port",
      ],
      answer: 1,
    },
  },
  {
    claim: "H4",
    title: "published ports are discarded in host mode: -p changes nothing, and the engine says so",
    concept:
      "`-p` means nothing in host mode: published ports are discarded, and the engine says so with a warning. The port the " +
      "`-p` named stays closed.",
    why: "Publishing maps a host port to a container's namespace; in host mode there is no second namespace, so the engine drops the mapping.",
    docs: HOST_DOCS,
    command: "docker run -d --network host -p 8081:80 netlab/probe sleep 1d   # WARNING: Published ports are discarded when using host network mode",
    predict: {
      question: "`docker run --network host -p 8081:80 …`: what happens to -p?",
      choices: ["it publishes as usual", "it is discarded, and the engine warns", "the run fails with an error"],
      answer: 1,
    },
  },
]);
