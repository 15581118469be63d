import { fileURLToPath } from "node:url";
import createDebug from "debug";
import { execa } from "execa";
import type { GroupPlan } from "../core/node-plan.js";
import { namespaceSite, type ProbeSite } from "./site.js";

const debug = createDebug("netlab");
/** The sentinel's server: TCP answers `peer=<source address>`, DNS answers NXDOMAIN for any name it was not given. */
const SERVER = fileURLToPath(new URL("./sentinel-server.mjs", import.meta.url));
const READY_TIMEOUT_MS = 10_000;

export class UnderlayHostError extends Error {
  override name = "UnderlayHostError";
}

/** A host on a node group's underlay outside every node: what nodes NAT their containers' traffic towards. */
export interface UnderlayHost {
  namespace: string;
  address: string;
  tcpPort: number;
  /** Probes from the underlay itself (a host beside the nodes, on none of them). */
  site(): ProbeSite;
  stop(): Promise<void>;
}

/**
 * Runs the sentinel's server at the operator's address on the underlay, in the underlay's namespace (netlab's,
 * removed with the group): the nodes' containers get a resolver that answers a name nobody knows
 * with NXDOMAIN at once, and a listener that says which source address reached it.
 */
export async function startUnderlayHost(plan: GroupPlan, tcpPort: number): Promise<UnderlayHost> {
  const namespace = plan.underlayNamespace;
  const address = plan.operatorAddress;
  debug("Starting the underlay host %s in %s…", address, namespace);
  const server = execa("ip", ["netns", "exec", namespace, process.execPath, SERVER, address, String(tcpPort)], {
    stdin: "ignore",
    reject: false,
    cleanup: true,
  });
  const stop = async () => {
    server.kill("SIGTERM");
    await server;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let said = "";
      const timer = setTimeout(
        () => reject(new UnderlayHostError(`the underlay host did not start after ${READY_TIMEOUT_MS} ms: ${said}`)),
        READY_TIMEOUT_MS,
      );
      server.stderr?.on("data", (chunk: Buffer) => (said += chunk.toString()));
      server.stdout?.on("data", (chunk: Buffer) => {
        if (!chunk.toString().includes("ready")) return;
        clearTimeout(timer);
        resolve();
      });
      void server.then((result) => {
        clearTimeout(timer);
        reject(new UnderlayHostError(`the underlay host exited (${result.exitCode}): ${said.trim()}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  debug("Started the underlay host %s", address);
  return { namespace, address, tcpPort, site: () => namespaceSite("underlay", namespace), stop };
}
