import { createServer } from "node:net";

function tryBind(address: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, address, () => {
      const bound = server.address();
      server.close(() => resolve(typeof bound === "object" && bound ? bound.port : undefined));
    });
  });
}

/** `preferred` when it can be bound on `address` of the host's namespace, otherwise a free port the kernel picks. */
export async function freePort(address: string, preferred?: number): Promise<{ port: number; preferredWasFree: boolean }> {
  if (preferred !== undefined) {
    const port = await tryBind(address, preferred);
    if (port !== undefined) return { port, preferredWasFree: true };
  }
  const port = await tryBind(address, 0);
  if (port === undefined) throw new Error(`no free TCP port on ${address}`);
  return { port, preferredWasFree: false };
}
