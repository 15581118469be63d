import type { Expectation } from "../core/check-file/expectations.js";
import { SpecError, type SpecProblem } from "../core/check-file/spec-error.js";

/** Networks every engine has: a spec beside a compose file may check them too. */
const ENGINE_OWN = new Set(["bridge", "host", "none"]);

/**
 * The expectations with each network written as its compose file's key (`dbnet`) named as compose created it
 * (`shop_dbnet`), the name the engine knows: users write the key they read in their compose file. Networks
 * appear in three places of an expectation: `network` (docker-network), `attached` (network) and `in` (address).
 */
export function inProjectNetworks(expectations: Expectation[], networks: ReadonlyMap<string, string>): Expectation[] {
  const named = (name: string) => networks.get(name) ?? name;
  // A `docker-network:` the compose file does not declare would be judged missing, with a hint to create it
  // by hand beside the stack: refuse it, naming the file's networks.
  const created = new Set(networks.values());
  const foreign: SpecProblem[] = expectations.flatMap((expectation) =>
    expectation.kind === "docker-network" &&
    !networks.has(expectation.network) &&
    !created.has(expectation.network) &&
    !ENGINE_OWN.has(expectation.network)
      ? [
          {
            ...expectation.source,
            message: `no network \`${expectation.network}\` in the compose file: its networks are ${[...networks.keys()].sort().join(", ")} (declare it under networks:, with external: true if it is made outside the file)`,
          },
        ]
      : [],
  );
  if (foreign.length > 0) throw new SpecError(foreign);
  return expectations.map((expectation) => {
    const fields = expectation as unknown as Record<string, unknown>;
    const renamed: Record<string, unknown> = {};
    if (typeof fields.network === "string") renamed.network = named(fields.network);
    if (Array.isArray(fields.attached)) renamed.attached = (fields.attached as string[]).map(named);
    const where = fields.in as { kind?: unknown; name?: unknown } | undefined;
    if (where?.kind === "network" && typeof where.name === "string") renamed.in = { ...where, name: named(where.name) };
    return Object.keys(renamed).length === 0 ? expectation : ({ ...expectation, ...renamed } as Expectation);
  });
}
