/** What a small text parser returns: the value, or one line saying what is wrong with the text. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const bad = <T = never>(message: string): Parsed<T> => ({ ok: false, message });
