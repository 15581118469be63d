import type Dockerode from "dockerode";

/** Signals the engine sent containers, by a label's value (or the container's name): "15" SIGTERM, "9" SIGKILL. */
export type KillSignals = Record<string, string[]>;

/** Reads the engine's newline-separated JSON "kill" events; other events are ignored. */
export function parseKillEvents(text: string, keyLabel?: string): KillSignals {
  const signals: KillSignals = {};
  for (const line of text.split("\n").filter((candidate) => candidate.trim())) {
    const event = JSON.parse(line) as {
      Type?: string;
      Action?: string;
      Actor?: { Attributes?: Record<string, string> };
    };
    if (event.Action !== "kill") continue;
    const attributes = event.Actor?.Attributes ?? {};
    const key = (keyLabel ? attributes[keyLabel] : undefined) ?? attributes.name ?? "?";
    (signals[key] ??= []).push(attributes.signal ?? "?");
  }
  return signals;
}

/**
 * The kill events of containers carrying `label` (`key=value`) since `since` (Unix seconds), up to now.
 * `docker stop` shows as a 15 and, when the container outlives its stop timeout, a 9.
 */
export async function killSignals(
  docker: Dockerode,
  options: { since: number; label: string; keyLabel?: string },
): Promise<KillSignals> {
  // The engine streams until `until` has passed: the next whole second, by which the kills asked about are logged.
  const until = Math.ceil(Date.now() / 1000);
  const stream = await docker.getEvents({
    since: options.since,
    until,
    filters: { type: ["container"], event: ["kill"], label: [options.label] },
  });
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
  return parseKillEvents(text, options.keyLabel);
}
