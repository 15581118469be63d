/** What an idle lab container runs: long enough for any run, removed with the run. */
export const IDLE_COMMAND = ["sleep", "86400"];

/** `netlab-<run>-<lab>-<role>`: the name of anything a lab creates, unique per run, found again by a sweep. */
export function labObjectName(runId: string, lab: string, role: string): string {
  return `netlab-${runId}-${lab}-${role}`;
}

/** "netlab-1a2b3c4d-bridge-first" → "first": the part a person recognises from the lesson. */
export function shortName(name: string, lab: string): string {
  const prefix = new RegExp(`^netlab-[0-9a-f]+-${lab.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-`);
  return name.replace(prefix, "");
}

/** The lab a test file is, for a test without a declaration: "labs/bridge.lab.test.ts" → "bridge". */
export function labOfFile(path: string): string {
  return (path.split("/").pop() ?? path).replace(/\.(lab\.test|lab\.fixture|check\.test)\.ts$/, "");
}
