import type Dockerode from "dockerode";
import { LABEL } from "../core/labels.js";
import { COMPOSE_LABEL } from "./compose-options.js";
import { liveComposeProjects } from "./own-compose-projects.js";

/** The networks every engine has from its start: the engine's, not anyone's stack. */
const ENGINE_NETWORKS = new Set(["bridge", "host", "none"]);

/** What an engine holds that netlab did not make, by name: what a swarm's leave would disconnect. */
export interface ForeignObjects {
  containers: string[];
  networks: string[];
}

interface Labelled {
  name: string;
  labels: Record<string, string> | null | undefined;
}

/**
 * Picks what is not netlab's: an object is netlab's when it carries netlab's label, or belongs to a compose project
 * a live netlab process brought up (`ownProjects`), or (networks) is one the engine always has. `except` names what
 * the caller answers for itself (an exercise's own objects, which its reset removes first).
 */
export function pickForeign(
  containers: Labelled[],
  networks: Labelled[],
  ownProjects: ReadonlySet<string>,
  except: ReadonlySet<string> = new Set(),
): ForeignObjects {
  const isNetlabs = ({ name, labels }: Labelled) =>
    except.has(name) || labels?.[LABEL.managed] === "true" || ownProjects.has(labels?.[COMPOSE_LABEL.project] ?? "");
  return {
    containers: containers
      .filter((item) => !isNetlabs(item))
      .map((item) => item.name)
      .sort(),
    networks: networks
      .filter((item) => !ENGINE_NETWORKS.has(item.name) && !isNetlabs(item))
      .map((item) => item.name)
      .sort(),
  };
}

/** Every container (running or not) and network on the engine that netlab did not make. */
export async function foreignObjects(docker: Dockerode, except: Iterable<string> = []): Promise<ForeignObjects> {
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true }), docker.listNetworks()]);
  return pickForeign(
    containers.map((item) => ({ name: (item.Names[0] ?? item.Id).replace(/^\//, ""), labels: item.Labels })),
    networks.map((item) => ({ name: item.Name, labels: item.Labels })),
    liveComposeProjects(),
    new Set(except),
  );
}

/** "containers a, b; networks x" — or undefined when there is nothing foreign. */
export function describeForeign(found: ForeignObjects): string | undefined {
  const parts = [
    found.containers.length ? `container${found.containers.length > 1 ? "s" : ""} ${found.containers.join(", ")}` : "",
    found.networks.length ? `network${found.networks.length > 1 ? "s" : ""} ${found.networks.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : undefined;
}
