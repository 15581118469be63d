import type { ResolveExpected } from "../../core/check-file/expectations.js";
import { canonicalAddress, type ResolveItem } from "../../core/check-file/resolve-item.js";
import { sharedNetworks, type Attachment, type Target } from "../target.js";

/** One item of `addresses`/`includes` and the addresses it stands for, in words: `api-2 (172.18.0.3)`. */
export interface ItemAddresses {
  text: string;
  addresses: string[];
}

function attachmentAddresses(attachment: Attachment): string[] {
  return [attachment.address, attachment.address6].flatMap((address) => (address ? [canonicalAddress(address)] : []));
}

/**
 * A container's (or a service's) addresses as `from` would be answered: those on the networks they share
 * (Docker's DNS answers on a shared network only), or all of them when they share none or `from` is no
 * container (the mismatch then shows the addresses it has).
 */
function addressesSeenFrom(from: Target | undefined, target: Target): string[] {
  const shared = from ? new Set(sharedNetworks(from, target)) : new Set<string>();
  const onShared = target.attachments.filter((attachment) => shared.has(attachment.network));
  return (onShared.length > 0 ? onShared : target.attachments).flatMap(attachmentAddresses);
}

/** A stack's task targets are named `api.1@node2` (a replica) or `api@node2` (a global service's task). */
function tasksOf(targets: ReadonlyMap<string, Target>, service: string): Target[] {
  const pattern = new RegExp(`^${service.replaceAll(".", "\\.")}(\\.\\d+)?@[^@]+$`);
  return [...targets.values()].filter((target) => pattern.test(target.name));
}

/**
 * The addresses each item stands for, seen from `from`; an item that cannot be answered (not found, a service
 * with no virtual IP) gives a problem in words instead.
 */
export function itemAddresses(
  items: readonly ResolveItem[],
  from: Target | undefined,
  targets: ReadonlyMap<string, Target>,
): { groups: ItemAddresses[]; problems: string[] } {
  const groups: ItemAddresses[] = [];
  const problems: string[] = [];
  for (const item of items) {
    if (item.kind === "address") {
      groups.push({ text: item.text, addresses: [item.address] });
      continue;
    }
    const name = item.kind === "name" ? item.name : item.service;
    const target = targets.get(name);
    if (!target) {
      problems.push(`${name} was not found`);
      continue;
    }
    if (item.kind === "name") {
      // A scaled compose service's name answers with every running replica's address: each replica is an item.
      if (!target.replicas) groups.push({ text: item.text, addresses: addressesSeenFrom(from, target) });
      else
        for (const replica of [target, ...target.replicas])
          groups.push({ text: `${item.text} (${replica.container})`, addresses: addressesSeenFrom(from, replica) });
      continue;
    }
    const tasks = tasksOf(targets, item.service);
    if (item.kind === "tasks") {
      if (tasks.length === 0) problems.push(`${item.service} runs no task`);
      for (const task of tasks) groups.push({ text: task.name, addresses: addressesSeenFrom(from, task) });
      continue;
    }
    // A service in endpoint mode dnsrr stands for its tasks' addresses: it has no virtual IP of its own.
    const taskAddresses = new Set(tasks.flatMap((task) => task.attachments.flatMap(attachmentAddresses)));
    const virtual = addressesSeenFrom(from, target).filter((address) => !taskAddresses.has(address));
    if (virtual.length === 0)
      problems.push(
        `${item.service} has no virtual IP (endpoint mode dnsrr: its name answers with its tasks' addresses; write tasks:${item.service})`,
      );
    else groups.push({ text: item.text, addresses: virtual });
  }
  return { groups, problems };
}

function described(group: ItemAddresses): string {
  const addresses = group.addresses.join(", ");
  return addresses === group.text ? group.text : `${group.text} (${addresses || "no address"})`;
}

/**
 * Whether the answer (its addresses) is what the resolve says: `addresses` each item answered and nothing
 * else, `includes` each item answered, `count` that many distinct addresses. Each miss in words.
 */
export function judgeAnswer(
  expected: Pick<ResolveExpected, "count">,
  answered: readonly string[],
  exact: readonly ItemAddresses[] | undefined,
  least: readonly ItemAddresses[] | undefined,
): { held: boolean; misses: string[] } {
  const seen = new Set(answered.map(canonicalAddress));
  const misses: string[] = [];
  const unanswered = [...(exact ?? []), ...(least ?? [])].filter(
    (group) => !group.addresses.some((address) => seen.has(address)),
  );
  if (unanswered.length > 0) misses.push(`not answered: ${unanswered.map(described).join(", ")}`);
  if (exact) {
    const covered = new Set(exact.flatMap((group) => group.addresses));
    const extra = [...seen].filter((address) => !covered.has(address));
    if (extra.length > 0)
      misses.push(
        `${extra.join(", ")} ${extra.length === 1 ? "is" : "are"} none of ${exact.map(described).join(", ")}`,
      );
  }
  if (expected.count !== undefined && seen.size !== expected.count)
    misses.push(`${seen.size} address${seen.size === 1 ? "" : "es"}, not ${expected.count}`);
  return { held: misses.length === 0, misses };
}
