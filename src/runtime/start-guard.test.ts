import { describe, expect, it } from "vitest";
import { ClosingError, StartGuard } from "./start-guard.js";

const later = <T>(value: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe("StartGuard", () => {
  it("close waits for a start in flight, so what it made is registered before the removal looks", async () => {
    const guard = new StartGuard();
    const made: string[] = [];
    void guard.start(async () => made.push(await later("sidecar", 30)));
    await guard.close();
    expect(made).toEqual(["sidecar"]);
  });

  it("control: without waiting for the close, the start in flight is not registered yet", async () => {
    const guard = new StartGuard();
    const made: string[] = [];
    void guard.start(async () => made.push(await later("sidecar", 30)));
    expect(made).toEqual([]);
    await guard.close();
  });

  it("refuses starts once the close began, and a failed start does not hold the close", async () => {
    const guard = new StartGuard();
    const failed = guard.start(() => Promise.reject(new Error("create failed")));
    await expect(failed).rejects.toThrow("create failed");
    await guard.close();
    await expect(guard.start(async () => "late")).rejects.toBeInstanceOf(ClosingError);
  });
});
