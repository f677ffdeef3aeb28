import { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';

import { inlineParameters } from './sql-literals.js';

const compiled = (sql: string, parameters: unknown[]) => ({
  ...CompiledQuery.raw(sql),
  parameters,
});

describe('writing parameters in as literals', () => {
  it('quotes text, doubling quotes and escaping backslashes', () => {
    const query = compiled('insert into "t" ("a", "b") values ($1, $2)', ["it's", 'c:\\tmp']);
    expect(inlineParameters(query)).toBe(
      `insert into "t" ("a", "b") values ('it''s',  E'c:\\\\tmp')`,
    );
  });

  it('quotes numbers and booleans as untyped literals, as pg sends them, and nulls bare', () => {
    const query = compiled('update "t" set "a" = $1, "b" = $2, "c" = $3 where "id" = $4', [
      -2.5,
      true,
      null,
      10,
    ]);
    expect(inlineParameters(query)).toBe(
      `update "t" set "a" = '-2.5', "b" = 'true', "c" = NULL where "id" = '10'`,
    );
  });

  it('leaves $n inside quoted text and identifiers alone, and takes $10 whole', () => {
    const values = Array.from({ length: 10 }, (_, i) => i + 1);
    const query = compiled(`select '$1', "$2" from "t" where "x" = $10 and "y" = $1`, values);
    expect(inlineParameters(query)).toBe(
      `select '$1', "$2" from "t" where "x" = '10' and "y" = '1'`,
    );
  });

  it('copies quoted text with doubled quotes as it is', () => {
    const query = compiled(`select 'it''s $1', "a""$2" from "t" where "x" = $1`, ['y']);
    expect(inlineParameters(query)).toBe(`select 'it''s $1', "a""$2" from "t" where "x" = 'y'`);
  });

  it('gives up on values without a plain literal form', () => {
    expect(inlineParameters(compiled('select $1', [{ a: 1 }]))).toBeNull();
    expect(inlineParameters(compiled('select $1', [Number.NaN]))).toBeNull();
    expect(inlineParameters(compiled('select $1', [new Date(0)]))).toBeNull();
  });
});
