import { AsyncLocalStorage } from "node:async_hooks";
import { tmpdir } from "node:os";
import { holdFileLock } from "./file-lock.js";
import { join } from "node:path";

/**
 * Leaving a swarm makes the engine forget the embedded DNS records of EVERY network, not only the swarm's:
 * libnetwork's handler of the node-leave event calls `cleanupServiceDiscovery("")`, which empties the
 * service records of all networks (moby libnetwork controller.go, `case cluster.EventNodeLeave`). A container
 * started before the leave is then unknown to 127.0.0.11 until it rejoins its network: a lookup of its name
 * is forwarded to the container's own DNS server (the sentinel: NXDOMAIN; from an internal network: no way
 * there, timed out). Proved by hand on Docker 20.10.24: two containers on a user-defined bridge resolve each
 * other, still do while a swarm is up, and stop resolving the moment `docker swarm leave` returns.
 *
 * So a lab that looks names up holds this lock shared from before its containers start until they are gone,
 * and leaving a swarm (the overlay lab, a sweep of a dead run's swarm) holds it exclusive: a leave waits for
 * every lab relying on the records, in this run and in any other on this machine. It is flock(2) through
 * util-linux's `flock`, held by a child process: the kernel drops it when that child dies, so a SIGKILLed run
 * never leaves it behind, and the child dies when this process does (its stdin closes).
 *
 * Lock order: this one first, before host-ports, default-bridge and address-pools (see host-lock.ts).
 */
const LOCK_FILE = join(tmpdir(), "netlab-embedded-dns.lock");
/**
 * A leave waiting for the lock goes before labs that have not taken it yet: it holds this one exclusive while
 * it waits, and a new holder takes it shared only while taking LOCK_FILE. flock(2) prefers no one, so without
 * it labs that keep coming (several workers, other runs) would starve the overlay lab's leave for as long as
 * they went on.
 */
const WAITING_LEAVE_FILE = join(tmpdir(), "netlab-embedded-dns-leave.lock");

async function takeShared(purpose: string): Promise<() => Promise<void>> {
  const queued = await holdFileLock(WAITING_LEAVE_FILE, "shared", purpose);
  try {
    return await holdFileLock(LOCK_FILE, "shared", purpose);
  } finally {
    await queued();
  }
}

/** Set while withEmbeddedDnsRecords runs its work: the records are held for everything inside it. */
const holding = new AsyncLocalStorage<true>();

/** For a lab whose claims look names up through 127.0.0.11: no swarm is left on this engine while it is held. */
export async function holdEmbeddedDnsRecords(purpose: string): Promise<() => Promise<void>> {
  // Taken again inside a hold, it would queue behind a waiting leave that waits for the outer hold: a deadlock.
  if (holding.getStore()) return async () => {};
  return takeShared(purpose);
}

/** Runs `work` holding the records; holds taken inside it (a check run by a test) are part of this one. */
export async function withEmbeddedDnsRecords<T>(purpose: string, work: () => Promise<T>): Promise<T> {
  const release = await holdEmbeddedDnsRecords(purpose);
  try {
    return await holding.run(true, work);
  } finally {
    await release();
  }
}

/** Runs `work` (a swarm leave) once no lab relies on the embedded DNS records, and none starts to meanwhile. */
export async function whileNoLabReliesOnEmbeddedDns<T>(purpose: string, work: () => Promise<T>): Promise<T> {
  const queued = await holdFileLock(WAITING_LEAVE_FILE, "exclusive", purpose);
  let release: () => Promise<void>;
  try {
    release = await holdFileLock(LOCK_FILE, "exclusive", purpose);
  } finally {
    await queued();
  }
  try {
    return await work();
  } finally {
    await release();
  }
}
