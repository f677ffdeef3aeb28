import { hash, randomBytes } from 'node:crypto';

import type { Clock } from '../clock.js';
import type { Db } from '../store/database.js';
import { PreparedQuery } from '../store/prepared-query.js';

export interface ApiToken {
  readonly id: number;
  readonly name: string;
  /** First characters of the key, to tell tokens apart without revealing them. */
  readonly keyPrefix: string;
  readonly writeEnabled: boolean;
  readonly created: string;
  readonly lastUsed: string | null;
  readonly expires: string | null;
}

export type TokenCheck =
  | { readonly ok: true; readonly token: ApiToken }
  | { readonly ok: false; readonly reason: 'invalid' | 'expired' };

const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * How long a checked token is believed without asking the database again. Every request
 * presents one, and a storm sends thousands a second; a token revoked by another process (the
 * CLI) stops working within this time, one revoked through this store at once.
 */
export const TOKEN_CACHE_MS = 5_000;

/** Every request looks its token up: built and compiled once. */
const BY_HASH = new PreparedQuery<[string]>(1, (db, [hash]) =>
  db.selectFrom('api_tokens').selectAll().where('key_hash', '=', hash!),
);

function hashKey(key: string): string {
  return hash('sha256', key, 'hex');
}

function toToken(row: Record<string, unknown>): ApiToken {
  return {
    id: Number(row.id),
    name: String(row.name),
    keyPrefix: String(row.key_prefix),
    writeEnabled: row.write_enabled === true || row.write_enabled === 1,
    created: String(row.created),
    lastUsed: (row.last_used as string | null) ?? null,
    expires: (row.expires as string | null) ?? null,
  };
}

/**
 * API tokens. A key is 40 random hex characters (NetBox's v1 form), shown once at creation and
 * stored only as its SHA-256 hash.
 */
export class TokenStore {
  private readonly lastUsedWritten = new Map<number, number>();
  /** Valid tokens by key hash, each with the time until which it is believed. */
  private readonly recent = new Map<string, { token: ApiToken; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async create(options: {
    name: string;
    writeEnabled: boolean;
    expires?: string | null;
  }): Promise<{ token: ApiToken; key: string }> {
    const key = randomBytes(20).toString('hex');
    const row = await this.db
      .insertInto('api_tokens')
      .values({
        name: options.name,
        key_hash: hashKey(key),
        key_prefix: key.slice(0, 8),
        write_enabled: options.writeEnabled ? 1 : 0,
        created: this.clock.now().toISOString(),
        last_used: null,
        expires: options.expires ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { token: toToken(row), key };
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.db.selectFrom('api_tokens').selectAll().orderBy('id').execute();
    return rows.map(toToken);
  }

  /** Revokes tokens by id or by name; returns how many were removed. */
  async revoke(idOrName: string): Promise<number> {
    this.recent.clear();
    const id = /^\d+$/.test(idOrName) ? Number(idOrName) : -1;
    const result = await this.db
      .deleteFrom('api_tokens')
      .where((eb) => eb.or([eb('id', '=', id), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Checks a presented key; records its use at most once a minute. */
  async check(key: string): Promise<TokenCheck> {
    const hash = hashKey(key);
    const now = this.clock.now();
    const known = this.recent.get(hash);
    let token: ApiToken;
    if (known !== undefined && known.until > now.getTime()) {
      token = known.token;
    } else {
      const [row] = await BY_HASH.rows(this.db, [hash]);
      if (row === undefined) {
        this.recent.delete(hash);
        return { ok: false, reason: 'invalid' };
      }
      token = toToken(row);
      // Bounded: a key is remembered only once it proved valid, and the map is emptied when full.
      if (this.recent.size >= 10_000) this.recent.clear();
      this.recent.set(hash, { token, until: now.getTime() + TOKEN_CACHE_MS });
    }
    if (token.expires !== null && Date.parse(token.expires) <= now.getTime()) {
      return { ok: false, reason: 'expired' };
    }
    await this.touch(token.id, now);
    return { ok: true, token };
  }

  private async touch(id: number, now: Date): Promise<void> {
    const last = this.lastUsedWritten.get(id) ?? 0;
    if (now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(id, now.getTime());
    await this.db
      .updateTable('api_tokens')
      .set({ last_used: now.toISOString() })
      .where('id', '=', id)
      .execute();
  }
}
