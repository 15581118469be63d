// testcontainers' reaper (ryuk) and its host probe (alpine) are images netlab may not pull: cleanup is
// netlab's own (labels and sweeps), and the host is this machine.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";

export {};
