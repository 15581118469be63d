import type { Expectation } from "../core/check-file/expectations.js";

/**
 * The expectations with each network written as its compose file's key (`dbnet`) named as compose created it
 * (`shop_dbnet`), the name the engine knows: users write the key they read in their compose file. Networks
 * appear in three places of an expectation: `network` (docker-network), `attached` (network) and `in` (address).
 */
export function inProjectNetworks(expectations: Expectation[], networks: ReadonlyMap<string, string>): Expectation[] {
  const named = (name: string) => networks.get(name) ?? name;
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
