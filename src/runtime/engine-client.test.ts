import { describe, expect, it } from "vitest";
import { connectEngine, engineAddress, isRemoteEngine } from "./engine-client.js";

describe("engine address", () => {
  it("is DOCKER_HOST when set, the default socket otherwise", () => {
    expect(engineAddress({})).toBe("unix:///var/run/docker.sock");
    expect(engineAddress({ DOCKER_HOST: "tcp://10.214.0.1:2375" })).toBe("tcp://10.214.0.1:2375");
  });

  it("is remote over tcp:// and ssh://, and this machine's over a unix socket", () => {
    expect(isRemoteEngine({ DOCKER_HOST: "tcp://10.214.0.1:2375" })).toBe(true);
    expect(isRemoteEngine({ DOCKER_HOST: "ssh://ops@build-host" })).toBe(true);
    expect(isRemoteEngine({ DOCKER_HOST: "unix:///run/netlab/nodes/1a2b3c4d/n1/docker.sock" })).toBe(false);
    expect(isRemoteEngine({})).toBe(false);
  });

  it("refuses a DOCKER_HOST of no engine scheme before asking any resolver", async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = "bogus://x";
    try {
      await expect(connectEngine(1000)).rejects.toThrow('DOCKER_HOST "bogus://x" is not an engine address');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
