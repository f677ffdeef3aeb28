/** Characters of a secret that stay visible: enough to tell keys apart, too few to use one. */
const VISIBLE = 4;

/** Shorter secrets are hidden completely. */
const SHORTEST_SHOWN = 12;

/**
 * A secret as the API and the logs show it: its last four characters behind `****`, or only
 * `****` when it is short. Null stays null (no secret set).
 */
export function maskSecret(secret: string | null): string | null {
  if (secret === null) return null;
  return secret.length < SHORTEST_SHOWN ? '****' : `****${secret.slice(-VISIBLE)}`;
}

/** True when `value` is what maskSecret shows for `secret`: a client sent back what it read. */
export function isMaskOf(value: unknown, secret: unknown): boolean {
  return typeof secret === 'string' && value === maskSecret(secret);
}

/**
 * A URL as the API and the logs show it: scheme, host and port, then the last four characters
 * of the rest, which may hold a token (`https://hooks.example.com/…/abcd`).
 */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return maskSecret(url) ?? '';
  }
  const rest = url.slice(parsed.origin.length);
  if (rest === '' || rest === '/') return parsed.origin + rest;
  return rest.length < SHORTEST_SHOWN
    ? `${parsed.origin}/****`
    : `${parsed.origin}/****${rest.slice(-VISIBLE)}`;
}

/** `text` with every occurrence of each secret replaced by its mask (for error messages). */
export function redact(text: string, secrets: ReadonlyArray<string | null>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== null && secret !== '') out = out.split(secret).join(maskSecret(secret)!);
  }
  return out;
}
