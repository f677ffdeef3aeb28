import type { CompiledQuery } from 'kysely';
import pg from 'pg';

/** Parameters written into SQL text as PostgreSQL literals, for the simple query protocol. */

type Literal = string | number | bigint | boolean | null | undefined;

function isLiteral(value: unknown): value is Literal {
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

/** `value` as such a literal; null when it has no plain literal form. */
export function sqlLiteral(value: unknown): string | null {
  return isLiteral(value) ? literal(value) : null;
}

/**
 * The statement with its `$n` parameters written in as literals, for the simple protocol that
 * takes several statements at once; null when a parameter has no plain literal form. Quoted
 * text and identifiers are copied as they are.
 */
export function inlineParameters(query: CompiledQuery): string | null {
  const values = query.parameters;
  if (!values.every(isLiteral)) return null;
  const sql = query.sql;
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
      out += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < sql.length && /[0-9]/.test(sql[j]!)) j++;
      out += literal(values[Number(sql.slice(i + 1, j)) - 1] as Literal);
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}
