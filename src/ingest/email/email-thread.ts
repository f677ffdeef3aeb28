/** Header naming the alert an e-mail is about, for tools that do not thread their mails. */
export const DEDUP_KEY_HEADER = 'X-Dedup-Key';

/** A header's value (the first, if given as a list); header names match in any case. */
function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const entry = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  const value: unknown = Array.isArray(entry?.[1]) ? (entry[1] as unknown[])[0] : entry?.[1];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

const bare = (id: string) => id.trim().replace(/^<+|>+$/g, '');

/** The message ids of a References or In-Reply-To header, in order. */
function messageIds(value: string | undefined): string[] {
  if (value === undefined) return [];
  const bracketed = value.match(/<[^<>\s]+>/g);
  const ids = bracketed ?? value.split(/[\s,]+/);
  return ids.map(bare).filter((id) => id !== '');
}

/** The identity of the alert an e-mail belongs to, and the field it was read from. */
export interface EmailThreadKey {
  readonly value: string;
  readonly from: 'headers' | 'message_id';
}

/**
 * One thread is one alert: the dedup key header when given, else the first message of the
 * thread (References, then In-Reply-To), else the e-mail itself. Message ids lose their angle
 * brackets, so `<a@b>` and `a@b` are the same message.
 */
export function emailThreadKey(
  messageId: string,
  headers: Record<string, unknown> | undefined,
): EmailThreadKey {
  const given = header(headers, DEDUP_KEY_HEADER);
  if (given !== undefined) return { value: given, from: 'headers' };
  const root =
    messageIds(header(headers, 'References'))[0] ?? messageIds(header(headers, 'In-Reply-To'))[0];
  if (root !== undefined) return { value: root, from: 'headers' };
  return { value: bare(messageId), from: 'message_id' };
}

/** Reply and forward markers a mail client puts before a subject. */
const REPLY_PREFIX = /^(\s*(re|fwd?|aw|wg)\s*:)*[\s[(*]*/i;

/** True for a subject saying the alert cleared: it starts with RESOLVED (any case) or OK. */
export function isResolvingSubject(subject: string): boolean {
  const rest = subject.replace(REPLY_PREFIX, '');
  return /^resolved\b/i.test(rest) || /^OK\b/.test(rest);
}
