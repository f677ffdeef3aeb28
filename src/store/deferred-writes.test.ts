import { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';

import { DeferredWrites } from './deferred-writes.js';
import { inlineParameters, isLiteral } from './sql-literals.js';

const numbered = () =>
  new DeferredWrites({
    placeholders: 'numbered',
    maxRows: 1000,
    accepts: isLiteral,
  });

const compiled = (sql: string, parameters: unknown[]) => ({
  ...CompiledQuery.raw(sql),
  parameters,
});

const link = (incident: number, event: number) =>
  compiled(
    'insert into "incident_events" ("incident_id", "event_id") values ($1, $2)' +
      ' on conflict ("incident_id", "event_id") do nothing',
    [incident, event],
  );
const touch = (id: number, at: string) =>
  compiled('update "incidents" set "last_updated" = $1 where "id" = $2', [at, id]);
const newEvent = (id: number) =>
  compiled('insert into "events" ("message", "correlation", "id") values ($1, $2, $3)', [
    `event ${id}`,
    null,
    id,
  ]);
const decide = (id: number) =>
  compiled('update "events" set "correlation" = $1 where "id" = $2', [`{"n":${id}}`, id]);

function sent(...queries: CompiledQuery[]): string[] {
  const writes = numbered();
  for (const query of queries) expect(writes.add(query)).toBe(true);
  const out = writes.take().map((query) => inlineParameters(query)!);
  expect(writes.size).toBe(0);
  return out;
}

describe('deferred writes of alert intake, folded', () => {
  it('sends the inserts of one shape as one, where the first was, and one update per row', () => {
    expect(sent(link(1, 10), touch(1, 'a'), link(1, 11), touch(1, 'b'), touch(2, 'c'))).toEqual([
      `insert into "incident_events" ("incident_id", "event_id") values ('1', '10'), ('1', '11')` +
        ` on conflict ("incident_id", "event_id") do nothing`,
      `update "incidents" set "last_updated" = 'b' where "id" = '1'`,
      `update "incidents" set "last_updated" = 'c' where "id" = '2'`,
    ]);
  });

  it('writes an update of a row inserted in the same window into the insert', () => {
    expect(sent(newEvent(7), link(1, 7), decide(7), newEvent(8), decide(8))).toEqual([
      `insert into "events" ("message", "correlation", "id")` +
        ` values ('event 7', '{"n":7}', '7'), ('event 8', '{"n":8}', '8')`,
      `insert into "incident_events" ("incident_id", "event_id") values ('1', '7')` +
        ` on conflict ("incident_id", "event_id") do nothing`,
    ]);
  });

  it('updates an inserted row on its own when the insert lacks a column', () => {
    const processed = compiled('update "events" set "processed_at" = $1 where "id" = $2', ['t', 7]);
    expect(sent(newEvent(7), processed)).toEqual([
      `insert into "events" ("message", "correlation", "id") values ('event 7', NULL, '7')`,
      `update "events" set "processed_at" = 't' where "id" = '7'`,
    ]);
  });

  it('moves nothing across another write of an intake table', () => {
    const move = compiled(
      'update "incident_events" set "incident_id" = $1 where "incident_id" = $2',
      [2, 1],
    );
    const out = sent(link(1, 10), touch(1, 'a'), move, link(1, 11), touch(1, 'b'));
    expect(out).toHaveLength(5);
    expect(out[2]).toBe(
      `update "incident_events" set "incident_id" = '2' where "incident_id" = '1'`,
    );
    expect(out[3]).toContain(`values ('1', '11')`);
  });

  it('leaves other tables one by one, and refuses values without a literal form', () => {
    const other = compiled('insert into "incident_services" ("a") values ($1)', [1]);
    expect(sent(other, other)).toHaveLength(2);
    const writes = numbered();
    expect(writes.add(compiled('insert into "events" ("raw") values ($1)', [{ a: 1 }]))).toBe(
      false,
    );
  });

  it("writes SQLite's positional parameters, a bounded number of rows per insert", () => {
    const writes = new DeferredWrites({ placeholders: 'positional', maxRows: 2 });
    const positional = (incident: number, event: number) =>
      compiled('insert into "incident_events" ("incident_id", "event_id") values (?, ?)', [
        incident,
        event,
      ]);
    const touched = compiled('update "incidents" set "last_updated" = ? where "id" = ?', ['t', 1]);
    for (const query of [positional(1, 10), touched, positional(1, 11), positional(1, 12)]) {
      writes.add(query);
    }
    expect(writes.take().map((q) => [q.sql, q.parameters])).toEqual([
      [
        'insert into "incident_events" ("incident_id", "event_id") values (?, ?), (?, ?)',
        [1, 10, 1, 11],
      ],
      ['insert into "incident_events" ("incident_id", "event_id") values (?, ?)', [1, 12]],
      ['update "incidents" set "last_updated" = ? where "id" = ?', ['t', 1]],
    ]);
  });
});
