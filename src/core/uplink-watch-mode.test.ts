import { describe, expect, it } from "vitest";
import { uplinkWatchMode } from "./uplink-watch-mode.js";

describe("NETLAB_UPLINK_WATCH", () => {
  it("1 watches netlab's packets, strict every packet, unset or 0 nothing; anything else is refused in one line", () => {
    expect(uplinkWatchMode("1")).toBe("netlab");
    expect(uplinkWatchMode("strict")).toBe("strict");
    for (const off of [undefined, "", "0"]) expect(uplinkWatchMode(off)).toBeUndefined();
    expect(() => uplinkWatchMode("yes")).toThrow(/^NETLAB_UPLINK_WATCH=yes is not a watch: use 1 .* or strict/);
  });
});
