import { readlink } from "node:fs/promises";

/** The network namespace of a process, as the kernel names it: `net:[4026532...]`. */
export async function networkNamespaceOf(pid: number | "self"): Promise<string> {
  return readlink(`/proc/${pid}/ns/net`);
}

/** The host's network namespace: netlab runs in it, beside the engine (it may not read init's). */
export function hostNetworkNamespace(): Promise<string> {
  return networkNamespaceOf("self");
}
