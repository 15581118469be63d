// testcontainers' reaper (ryuk) and its host probe (alpine) are images netlab may not pull: cleanup is
// netlab's own (labels and sweeps), and the host is this machine.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";

export const HERMETIC_ENV = {
  TESTCONTAINERS_RYUK_DISABLED: process.env.TESTCONTAINERS_RYUK_DISABLED,
  TESTCONTAINERS_HOST_OVERRIDE: process.env.TESTCONTAINERS_HOST_OVERRIDE,
};
