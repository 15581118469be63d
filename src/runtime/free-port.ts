import { createServer } from "node:net";
import getPort from "get-port";

/** Whether `port` can be bound on `address` of the host's namespace right now. */
function canBind(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
}

/**
 * `preferred` when it can be bound on `address` of the host's namespace, otherwise a free port the kernel
 * picks (through get-port, which never hands the same one out twice within 15 s in this process). The
 * preferred port is tried with a plain bind: get-port would refuse one it handed out itself a moment ago,
 * and "is that port free again?" is a question the labs ask.
 */
export async function freePort(
  address: string,
  preferred?: number,
): Promise<{ port: number; preferredWasFree: boolean }> {
  if (preferred !== undefined && (await canBind(address, preferred)))
    return { port: preferred, preferredWasFree: true };
  return { port: await getPort({ host: address }), preferredWasFree: false };
}
