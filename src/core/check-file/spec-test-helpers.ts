import { parseSpec } from "./parse-spec.js";
import { SpecError } from "./spec-error.js";

/** An example spec, comments and all, exactly as a user may write it. */
export const EXAMPLE = `version: 1
compose: docker-compose.yml   # optional; relative to the spec; what --up brings up
project: shop                 # optional compose project name
expect:
  - from: web                 # a compose service, a container name, host, or outside
    to: db:5432               # NAME:PORT (service or container), host:PORT, outside (the sentinel), IPv4:PORT
    reach: yes                # yes | no  ("no" holds for refused, timed-out or unreachable)
  - from: edge
    to: db:5432
    outcome: timed-out        # instead of reach: one exact typed outcome
  - from: web
    resolve: db               # a name looked up from inside \`from\`
    reach: yes                # yes: it resolves to an address of db; no: it does not resolve
  - from: outside
    to: host:8443             # a published port, reached from outside the machine
    reach: yes
  - publishes: edge           # the exact set of ports this container publishes on the host
    ports: ["127.0.0.1:8443->80/tcp"]
  - matrix:
      from: [edge, web, api]
      to: [web:8080, api:9000, db:5432]
      reach:                  # one row per \`from\`, one cell per \`to\`: y, n, or . (not checked)
        - [y, n, n]
        - [., y, n]
        - [., ., y]
`;

/** The `FILE:LINE:COL message` lines a spec text is rejected with (fails the test if it is accepted). */
export function specErrors(text: string, options: { composeServices?: string[] } = {}): string[] {
  try {
    parseSpec(text, "net.yaml", options);
  } catch (error) {
    if (error instanceof SpecError) return error.lines();
    throw error;
  }
  throw new Error("the spec was accepted");
}

/** A one-expectation spec around the given YAML lines (indented under `expect:`), expectation from line 3. */
export function withExpect(...lines: string[]): string {
  return `version: 1\nexpect:\n${lines.map((line) => `  ${line}`).join("\n")}\n`;
}
