import type { CompiledQuery } from 'kysely';
import pg from 'pg';

/** Parameters written into SQL text as PostgreSQL literals, for the simple query protocol. */

type Literal = string | number | bigint | boolean | null | undefined;

/** Whether `value` has a plain literal form (see inlineParameters). */
export function isLiteral(value: unknown): value is Literal {
  const type = typeof value;
  if (type === 'number') return Number.isFinite(value);
  return value == null || type === 'string' || type === 'bigint' || type === 'boolean';
}

/**
 * A value as the untyped literal PostgreSQL infers a type for from where it stands, as it
 * does for a parameter sent as text (what pg sends): `'1'` fits an integer and a boolean.
 */
function literal(value: Literal): string {
  return value === null || value === undefined ? 'NULL' : pg.escapeLiteral(String(value));
}

/** A quoted string or identifier (copied as it is), or a `$n` parameter. */
const TOKEN = /'[^']*'|"[^"]*"|\$(\d+)/g;

/**
 * The statement with its `$n` parameters written in as literals, for the simple protocol that
 * takes several statements at once; null when a parameter has no plain literal form. Quoted
 * text and identifiers are copied as they are (a doubled quote inside one reads as two quoted
 * pieces side by side, copied alike).
 */
export function inlineParameters(query: CompiledQuery): string | null {
  const values = query.parameters;
  if (!values.every(isLiteral)) return null;
  return query.sql.replace(TOKEN, (token, index: string | undefined) =>
    index === undefined ? token : literal(values[Number(index) - 1] as Literal),
  );
}
