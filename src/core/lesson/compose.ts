import { declareLab } from "./declare-lab.js";

const NETWORK_MODE_DOCS = "https://docs.docker.com/reference/compose-file/services/#network_mode";
const COMPOSE_TO_RUN =
  "Docker Compose: the `docker compose` v2 plugin, or standalone `docker-compose` where v2 is absent (`npm run provision` " +
  "installs Debian's docker-compose); the compose claims are skipped, saying which was missing, without one";

export const COMPOSE = declareLab("compose", "compose: docker-compose.yml shows the same modes, plus a network of its own", [
  {
    claim: "K1a",
    title: "on-bridge (network_mode: bridge) is on docker0 like a bare docker run: bridge subnet, own namespace, veth on docker0, NAT out",
    concept:
      "A compose service with `network_mode: bridge` lands on docker0 exactly like a bare `docker run`: same subnet, own " +
      "namespace, veth on docker0, NAT out. Compose adds no magic of its own.",
    why: "Compose turns each service into a container create call; `network_mode: bridge` asks the engine for its default bridge, skipping the project network.",
    docs: NETWORK_MODE_DOCS,
    command: "docker compose up -d on-bridge; docker compose exec on-bridge ip -o -4 addr",
    toRun: COMPOSE_TO_RUN,
  },
  {
    claim: "K1b",
    title: "isolated (network_mode: none) has only lo and no routes; nothing goes out, names do not resolve",
    concept: "`network_mode: none` in compose is `--network none`: only lo, no routes, nothing goes out and names do not resolve.",
    why: "Compose passes the mode through to the engine, which uses the null driver as for `docker run --network none`.",
    docs: NETWORK_MODE_DOCS,
    command: "docker compose up -d isolated; docker compose exec isolated ip route",
    toRun: COMPOSE_TO_RUN,
  },
  {
    claim: "K1c",
    title: "on-host (network_mode: host) shares the host's namespace; its server answers on the host's 127.0.0.1 with no port mapping",
    concept: "`network_mode: host` in compose shares the host's stack: the service's server answers on the host's 127.0.0.1 with no `ports:` entry.",
    why: "As with `docker run --network host`, the engine creates no namespace; `ports:` would be discarded.",
    docs: NETWORK_MODE_DOCS,
    command: "docker compose up -d on-host; busybox nc -w 3 127.0.0.1 8080 -e true && echo answered",
    toRun: COMPOSE_TO_RUN,
  },
  {
    claim: "K1d",
    title: "web and client are on compose's own network, where client finds web by service name through 127.0.0.11",
    concept:
      "Services without a network_mode join the project's own network, `<project>_default`, a user-defined bridge. There they " +
      "find each other by service name through the engine's DNS at 127.0.0.11.",
    why: "Compose creates one network per project and gives each service its name as an alias; the embedded DNS server answers those names.",
    docs: "https://docs.docker.com/compose/how-tos/networking/",
    command: "docker compose up -d web client; docker compose exec client nslookup web",
    toRun: COMPOSE_TO_RUN,
  },
  {
    claim: "K1e",
    title: "down is fast: every service stops on SIGTERM, none waits out the 1 s stop timeout; it leaves no container, no network, the host port free",
    concept:
      "`docker compose down` stops every service and removes its containers and the project network, leaving nothing. With " +
      "`init: true` each service stops on SIGTERM at once instead of waiting out the stop timeout.",
    why:
      "A process running as PID 1 ignores SIGTERM unless it handles it; `init: true` puts tini in as PID 1, which passes the " +
      "signal on, so `down` does not fall back to SIGKILL after the grace period.",
    docs: "https://docs.docker.com/reference/cli/docker/compose/down/",
    command: "time docker compose down -t 1; docker compose ps -a; docker network ls",
    toRun: COMPOSE_TO_RUN,
  },
]);
