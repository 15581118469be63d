import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { spawn, type ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";

/**
 * The sentinel's server run on a loopback address of its own (127/8 is all loopback), as `ip netns exec`
 * would run it in the sentinel namespace. Found by `netlab check`: a probe (`nc … -e true`) closes at once,
 * the server's greeting then meets a reset, and an unhandled socket error must not end the server, or every
 * later probe of "outside" is refused.
 */
const SERVER = fileURLToPath(new URL("./sentinel-server.mjs", import.meta.url));
const PORT = 18000 + Math.floor(Math.random() * 1000);
/** A loopback address no other test uses, so each server binds its DNS port 53 afresh. */
const freshAddress = () =>
  `127.${60 + Math.floor(Math.random() * 60)}.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
let ADDRESS = freshAddress();

let server: ChildProcess | undefined;

afterEach(() => {
  server?.kill("SIGTERM");
  server = undefined;
});

async function started(): Promise<ChildProcess> {
  ADDRESS = freshAddress();
  const child = spawn(process.execPath, [SERVER, ADDRESS, String(PORT), "sentinel.netlab.test"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.on("exit", (code) => reject(new Error(`sentinel server ended (${code}): ${stderr}`)));
  });
  return child;
}

/** Connects and closes at once without reading, as `nc ADDRESS PORT -e true` does: the greeting meets a reset. */
function hitAndRun(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(PORT, ADDRESS, () => {
      socket.resetAndDestroy();
      resolve();
    });
    socket.on("error", reject);
  });
}

/** A full exchange: the greeting naming the peer. */
function greeting(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(PORT, ADDRESS);
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString()));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

describe("sentinel-server.mjs: the outside's TCP server", () => {
  it("greets a peer with its address", async () => {
    server = await started();
    expect(await greeting()).toMatch(/^netlab-sentinel peer=127\.\d+\.\d+\.\d+\n$/);
  });

  it("keeps answering after peers that reset the connection (several probes of outside at once)", async () => {
    server = await started();
    await Promise.all([hitAndRun(), hitAndRun(), hitAndRun()]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await greeting()).toMatch(/^netlab-sentinel peer=/);
  });
});
