import { describe, expect, it } from "vitest";
import { practiceLabels } from "../core/labels.js";
import { deletionOf, selectForReset, type Listed } from "./reset-exercise.js";

const item = (name: string, labels: Record<string, string> = {}): Listed => ({ id: `id-${name}`, name, labels });

describe("what practice reset removes", () => {
  it("takes the exercise's names, exactly, and what netlab prepared for it; nothing else", () => {
    const exercise = { number: 13, names: { containers: ["p13-web", "p13-api"], networks: ["p13-front", "p13-back"] } };
    const chosen = selectForReset(exercise, {
      containers: [
        item("p13-web"),
        item("p13-web-mine"),
        item("my-p13-api"),
        item("renamed-by-learner", practiceLabels(13)),
        item("p14-web", practiceLabels(14)),
        item("netlab-1234abcd-bridge-first", { "dev.netlab.managed": "true", "dev.netlab.owner": "h:1" }),
      ],
      networks: [item("p13-front"), item("p13-back", practiceLabels(13)), item("p13-backup"), item("bridge")],
    });
    expect(chosen.containers.map((found) => found.name)).toEqual(["p13-web", "renamed-by-learner"]);
    expect(chosen.networks.map((found) => found.name)).toEqual(["p13-front", "p13-back"]);
  });
});

describe("deleting a rule the learner appended", () => {
  it("turns the rule as typed with -A into iptables -w … -D, table and matches kept", () => {
    expect(deletionOf("-t nat -A POSTROUTING -s 10.213.255.0/24 ! -o p18-br -j MASQUERADE")).toEqual([
      "-w",
      "-t",
      "nat",
      "-D",
      "POSTROUTING",
      "-s",
      "10.213.255.0/24",
      "!",
      "-o",
      "p18-br",
      "-j",
      "MASQUERADE",
    ]);
    expect(deletionOf("-A FORWARD -i p17-br -o p17-br -j ACCEPT")).toEqual([
      "-w",
      "-D",
      "FORWARD",
      "-i",
      "p17-br",
      "-o",
      "p17-br",
      "-j",
      "ACCEPT",
    ]);
  });
});
