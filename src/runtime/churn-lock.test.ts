import { describe, expect, it } from "vitest";
import { whileNetworksSteady, withNetworkChurn } from "./churn-lock.js";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the network-churn lock", () => {
  it("a network change waits until every probe in flight is done; probes run together", async () => {
    const events: string[] = [];
    const probe = (name: string) =>
      whileNetworksSteady(name, async () => {
        events.push(`${name} start`);
        await pause(300);
        events.push(`${name} end`);
      });
    const first = probe("a");
    const second = probe("b");
    await pause(100);
    const change = withNetworkChurn("create", async () => void events.push("create"));
    await Promise.all([first, second, change]);
    expect(events.slice(0, 2).sort()).toEqual(["a start", "b start"]);
    expect(events.indexOf("create")).toBeGreaterThan(events.indexOf("a end"));
    expect(events.indexOf("create")).toBeGreaterThan(events.indexOf("b end"));
  });

  it("control: a probe waits for a network change in progress", async () => {
    const events: string[] = [];
    const change = withNetworkChurn("create", async () => {
      events.push("create start");
      await pause(300);
      events.push("create end");
    });
    await pause(100);
    await whileNetworksSteady("probe", async () => void events.push("probe"));
    await change;
    expect(events).toEqual(["create start", "create end", "probe"]);
  });

  it("a holder that fails still releases the lock", async () => {
    await expect(withNetworkChurn("failing", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(withNetworkChurn("next", async () => "ok")).resolves.toBe("ok");
  });
});
