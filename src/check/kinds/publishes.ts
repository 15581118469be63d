import type { PublishesExpectation } from "../../core/check-file/expectations.js";
import { publishedMatches } from "../published-match.js";
import type { Target } from "../target.js";
import type { ExpectationKind } from "./kind.js";
import { list } from "./words.js";

function judge(expectation: PublishesExpectation, targets: Map<string, Target>) {
  const published = targets.get(expectation.container)?.published ?? [];
  const detail = `publishes ${published.length ? published.join(", ") : "nothing"}`;
  return { held: publishedMatches(expectation.ports, published), observed: { detail, published } };
}

/** The exact set of ports a container publishes on the host, as the engine showed them when it was found. */
export const publishes: ExpectationKind<PublishesExpectation> = {
  kind: "publishes",
  names: (expectation) => ({ containers: [expectation.container], networks: [], namespaces: [] }),
  running: (expectation) => [expectation.container],
  decide: { by: "found", judge },
  route: (expectation) => ({ from: expectation.container, to: "host" }),
  expected: (expectation) =>
    `publishes ${expectation.ports.length ? expectation.ports.map((port) => port.text).join(", ") : "nothing"}`,
  ends: (expectation) => ({ from: expectation.container }),
  hint: (expectation, _observed, context) => {
    const target = context.targets.get(expectation.container);
    return target ? `the engine shows ${list(target.published)} (docker port ${target.container})` : undefined;
  },
};
