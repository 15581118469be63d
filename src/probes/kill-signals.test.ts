import { describe, expect, it } from "vitest";
import { parseKillEvents } from "./kill-signals.js";

const event = (action: string, attributes: Record<string, string>) =>
  JSON.stringify({ Type: "container", Action: action, Actor: { ID: "x", Attributes: attributes } });

describe("parseKillEvents", () => {
  it("groups the signals by the key label, in order", () => {
    const text = [
      event("kill", { name: "p_web_1", "com.docker.compose.service": "web", signal: "15" }),
      event("kill", { name: "p_web_1", "com.docker.compose.service": "web", signal: "9" }),
      event("kill", { name: "p_client_1", "com.docker.compose.service": "client", signal: "15" }),
      "",
    ].join("\n");
    expect(parseKillEvents(text, "com.docker.compose.service")).toEqual({ web: ["15", "9"], client: ["15"] });
  });
  it("falls back to the container name and ignores other events", () => {
    const text = [event("die", { name: "a", exitCode: "143" }), event("kill", { name: "a", signal: "15" })].join("\n");
    expect(parseKillEvents(text, "missing.label")).toEqual({ a: ["15"] });
    expect(parseKillEvents("")).toEqual({});
  });
});
