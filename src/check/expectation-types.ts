export { holds, type Endpoint, type Expectation, type PublishedPort, type ReachExpectation, type ResolveExpectation, type PublishesExpectation } from "../core/spec/expectations.js";
export type { Position } from "../core/spec/spec-error.js";
