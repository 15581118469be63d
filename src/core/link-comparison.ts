/** A link as `index:name`: an index is reused only after the kernel's counter wraps, a name at any time. */
export type LinkKey = `${number}:${string}`;

export interface LinkComparison {
  /** On the host when it was looked at, not inside, and no event on the host says it went meanwhile. */
  missingInside: LinkKey[];
  /** Inside, not on the host when it was looked at, and no event on the host says it came meanwhile. */
  unexplainedInside: LinkKey[];
  /** Links that differ between the two views, each explained by an event on the host while they were taken. */
  changedMeanwhile: LinkKey[];
}

/**
 * Whether a view from inside a namespace is the host's own, though the two were taken one after the other
 * while other labs and runs add and remove interfaces: each difference must be a link the kernel reported
 * added, changed, moved or removed on the host between the first look and the last (`changed`, by index).
 */
export function compareWithHost(host: LinkKey[], inside: LinkKey[], changed: Iterable<number>): LinkComparison {
  const changedIndexes = new Set(changed);
  const indexOf = (key: LinkKey) => Number(key.split(":")[0]);
  const onlyHost = host.filter((key) => !inside.includes(key));
  const onlyInside = inside.filter((key) => !host.includes(key));
  const explained = (key: LinkKey) => changedIndexes.has(indexOf(key));
  return {
    missingInside: onlyHost.filter((key) => !explained(key)),
    unexplainedInside: onlyInside.filter((key) => !explained(key)),
    changedMeanwhile: [...onlyHost, ...onlyInside].filter(explained),
  };
}
