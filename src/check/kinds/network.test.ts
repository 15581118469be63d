import { describe, expect, it } from "vitest";
import type { AddressExpectation, Expectation, NetworkExpectation } from "../../core/check-file/expectations.js";
import type { ContainerFacts, StateView } from "../state-view.js";
import type { Target } from "../target.js";
import { kindOf } from "./registry.js";

function judgeState(expectation: Expectation, targets: Map<string, Target>, view: StateView) {
  const decider = kindOf(expectation).decide;
  if (decider.by !== "engine") throw new Error(`${expectation.kind} is not decided from the engine's view`);
  return decider.judge(expectation, targets, view);
}

const common = { withinMs: 0, source: { file: "x.yaml", line: 1, col: 1 } };
// Compose project h9s5: `side` runs with network_mode "service:web", which the engine stores as container:<web's id>.
const webFacts: ContainerFacts = {
  id: "8385ac99bb38",
  name: "h9s5_web_1",
  status: "running",
  exitCode: 0,
  created: "2026-12-07T23:45:00.924016237Z",
  startedAt: "2026-12-07T23:45:01.305606707Z",
  labels: { "com.docker.compose.project": "h9s5", "com.docker.compose.service": "web" },
  endpoints: { h9s5_dbnet: { ip: "172.30.99.10", aliases: ["web", "8385ac99bb38"] } },
};
const view = {
  container: async (name: string) => (name === "8385ac99bb38" || name === "h9s5_web_1" ? webFacts : undefined),
  network: async () => undefined,
} as unknown as StateView;
const target = (name: string, container: string, networkMode: string, network?: string): Target => ({
  name,
  id: `id-${name}`,
  container,
  running: true,
  networkMode,
  attachments: network ? [{ network, address: "172.30.99.10", aliases: [] }] : [],
  published: [],
});

describe("network mode container:, as a compose user writes it", () => {
  const targets = new Map([["side", target("side", "h9s5_side_1", "container:8385ac99bb38")]]);
  const mode = (expected: string): NetworkExpectation => ({
    kind: "network",
    id: "m",
    ...common,
    container: "side",
    mode: expected,
  });

  it("holds for the service's name and for its container's name; another name fails", async () => {
    expect(await judgeState(mode("container:web"), targets, view)).toMatchObject({ held: true });
    expect(await judgeState(mode("container:h9s5_web_1"), targets, view)).toMatchObject({ held: true });
    const other = await judgeState(mode("container:db"), targets, view);
    expect(other).toMatchObject({ held: false });
    expect(other.hint).toContain("runs with network mode container:h9s5_web_1");
  });
});

describe("an alias missing on a compose network", () => {
  it("names the compose file's network key, not the engine's project-prefixed name", async () => {
    const expectation: AddressExpectation = {
      kind: "address",
      id: "a",
      ...common,
      containers: ["web"],
      in: { kind: "network", name: "h9s5_dbnet" },
      ordered: false,
      aliases: ["api"],
    };
    const targets = new Map([["web", target("web", "h9s5_web_1", "h9s5_dbnet", "h9s5_dbnet")]]);
    const judged = await judgeState(expectation, targets, view);
    expect(judged.hint).toContain("in compose: networks: { dbnet: { aliases: [api] } }");
    expect(judged.hint).toContain("docker network connect --alias api h9s5_dbnet h9s5_web_1");
  });
});
