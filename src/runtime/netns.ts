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
