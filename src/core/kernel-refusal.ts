/**
 * Words with which the engine passes on the kernel's "I cannot do that" (a link type the kernel was built
 * without, a module that is not there). Only these make a check a skip; anything else is a failure.
 */
const KERNEL_REFUSAL = [
  /operation not supported/i,
  /not supported by (the )?kernel/i,
  /unknown device type/i,
  /kernel module .* (not|isn't) (loaded|found|available)/i,
  /module .* not found in directory/i,
  /protocol not supported/i,
  /address family not supported/i,
];

function messages(error: unknown): string[] {
  const found: string[] = [];
  for (
    let current = error, depth = 0;
    current && depth < 8;
    current = (current as { cause?: unknown }).cause, depth += 1
  ) {
    const message = (current as { message?: unknown }).message ?? (typeof current === "string" ? current : undefined);
    if (typeof message === "string") found.push(message);
    const json = (current as { json?: { message?: unknown } }).json?.message;
    if (typeof json === "string") found.push(json);
  }
  return found;
}

/** The engine's own words "<x>: …" after its HTTP status prefix ("(HTTP code 500) server error - "). */
function engineWords(message: string): string {
  const trimmed = message.trim().split("\n")[0] ?? "";
  return trimmed.replace(/^.*?\(HTTP code \d+\)[^-]*-\s*/, "").trim();
}

/**
 * When `error` (or one of its causes) is the kernel refusing a feature, the engine's words for it; otherwise
 * undefined. The innermost matching message wins, as it is the closest to what the engine said.
 */
export function kernelRefusal(error: unknown): string | undefined {
  const matching = messages(error).filter((message) => KERNEL_REFUSAL.some((pattern) => pattern.test(message)));
  const innermost = matching.at(-1);
  return innermost === undefined ? undefined : engineWords(innermost);
}
