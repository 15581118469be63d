import { execa } from "execa";
import { readlink } from "node:fs/promises";

/** The network namespace of a process, as the kernel names it: `net:[4026532...]`. */
export async function networkNamespaceOf(pid: number | "self"): Promise<string> {
  return readlink(`/proc/${pid}/ns/net`);
}

/** The host's network namespace: netlab runs in it, beside the engine (it may not read init's). */
export function hostNetworkNamespace(): Promise<string> {
  return networkNamespaceOf("self");
}

/** Kills whatever runs in a named network namespace and deletes it; veth ends inside go with it. Safe to call twice. */
export async function removeNamedNamespace(namespace: string): Promise<void> {
  const pids = await execa("ip", ["netns", "pids", namespace], { reject: false });
  for (const pid of String(pids.stdout).split("\n").filter(Boolean)) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
  await execa("ip", ["netns", "del", namespace], { reject: false });
}

/** The names in `ip netns list` ("red (id: 3)" → "red"). */
function parseNamespaceList(text: string): string[] {
  return text.split("\n").flatMap((line) => {
    const name = line.trim().split(/\s+/)[0];
    return name ? [name] : [];
  });
}

export class NamespaceListError extends Error {
  override name = "NamespaceListError";
}

/** The named network namespaces on this host (made with `ip netns add`; files in /run/netns). */
export async function listNamespaces(): Promise<Set<string>> {
  const listed = await execa("ip", ["netns", "list"], { reject: false });
  if (listed.exitCode !== 0)
    throw new NamespaceListError(
      `cannot list network namespaces ("ip netns list" failed: ${String(listed.stderr).trim() || listed.exitCode})`,
    );
  return new Set(parseNamespaceList(String(listed.stdout)));
}
