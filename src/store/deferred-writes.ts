import type { CompiledQuery } from 'kysely';

import { inlineParameters, sqlLiteral } from './sql-literals.js';

/** Tables alert intake inserts into many times a transaction: sent as multi-row inserts. */
const INSERTED_TABLES = new Set(['events', 'incident_events', 'incident_timeline']);
/** Tables whose rows alert intake updates by id many times: merged per row. */
const UPDATED_TABLES = new Set(['events', 'incidents']);
const folded = (table: string) => INSERTED_TABLES.has(table) || UPDATED_TABLES.has(table);

const INSERT =
  /^insert into "([a-z_]+)" \(([^()]*)\) values \(([^()]*)\)( on conflict \([^()]*\) do nothing)?$/;
const UPDATE_BY_ID = /^update "([a-z_]+)" set ([^()]*) where "id" = \$(\d+)$/;
const WRITE = /^(?:update|delete from|insert into) "([a-z_]+)"/;
const COLUMN = /^"([a-z_]+)"$/;
const ASSIGNMENT = /^"([a-z_]+)" = \$(\d+)$/;
const PARAMETER = /^\$(\d+)$/;

/** Rows of one multi-row insert: the statement before VALUES, its rows, what follows them. */
interface InsertGroup {
  readonly kind: 'insert';
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: string[][];
  readonly tail: string;
}

/** One row's updates, merged: column → literal, in the order first set. */
interface RowUpdate {
  readonly kind: 'update';
  readonly table: string;
  readonly id: string;
  readonly values: Map<string, string>;
}

type Item = string | InsertGroup | RowUpdate;

/** A row waiting in an insert group. */
interface InsertedRow {
  readonly kind: 'row';
  readonly group: InsertGroup;
  readonly values: string[];
}

/** What a statement's text says, worked out once per text. */
type Shape =
  | {
      readonly kind: 'insert';
      readonly table: string;
      readonly columns: readonly string[];
      /** For each column, the index of its parameter. */
      readonly parameters: readonly number[];
      readonly tail: string;
    }
  | {
      readonly kind: 'update';
      readonly table: string;
      readonly columns: readonly string[];
      readonly parameters: readonly number[];
      readonly idParameter: number;
    }
  | { readonly kind: 'other'; readonly table: string | undefined };

/** Parameter indexes of `$n` placeholders; null when one is anything else. */
function placeholders(list: readonly string[]): number[] | null {
  const out: number[] = [];
  for (const p of list) {
    const match = PARAMETER.exec(p);
    if (match === null) return null;
    out.push(Number(match[1]) - 1);
  }
  return out;
}

function shapeOf(sql: string): Shape {
  const other = { kind: 'other', table: WRITE.exec(sql)?.[1] } as const;
  const insert = INSERT.exec(sql);
  if (insert !== null && INSERTED_TABLES.has(insert[1]!)) {
    const columns = insert[2]!.split(', ').map((c) => COLUMN.exec(c)?.[1] ?? null);
    const parameters = placeholders(insert[3]!.split(', '));
    if (columns.includes(null) || parameters === null || columns.length !== parameters.length) {
      return other;
    }
    const table = insert[1]!;
    return {
      kind: 'insert',
      table,
      columns: columns as string[],
      parameters,
      tail: insert[4] ?? '',
    };
  }
  const update = UPDATE_BY_ID.exec(sql);
  if (update !== null && UPDATED_TABLES.has(update[1]!)) {
    const assignments = update[2]!.split(', ').map((a) => ASSIGNMENT.exec(a));
    if (assignments.includes(null)) return other;
    return {
      kind: 'update',
      table: update[1]!,
      columns: assignments.map((a) => a![1]!),
      parameters: assignments.map((a) => Number(a![2]) - 1),
      idParameter: Number(update[3]) - 1,
    };
  }
  return other;
}

const shapes = new Map<string, Shape>();

/** Bounds the shapes remembered; the intake's few statements stay well below it. */
const MAX_SHAPES = 1000;

function cachedShape(sql: string): Shape {
  let shape = shapes.get(sql);
  if (shape === undefined) {
    shape = shapeOf(sql);
    if (shapes.size < MAX_SHAPES) shapes.set(sql, shape);
  }
  return shape;
}

/** The literals of `indexes` of the query's parameters; null when one has no literal form. */
function literals(query: CompiledQuery, indexes: readonly number[]): string[] | null {
  const out: string[] = [];
  for (const i of indexes) {
    const value = sqlLiteral(query.parameters[i]);
    if (value === null) return null;
    out.push(value);
  }
  return out;
}

const insertText = (g: InsertGroup) =>
  `insert into "${g.table}" (${g.columns.map((c) => `"${c}"`).join(', ')}) values ` +
  `${g.rows.map((r) => `(${r.join(', ')})`).join(', ')}${g.tail}`;

const updateText = (u: RowUpdate) =>
  `update "${u.table}" set ${[...u.values].map(([c, v]) => `"${c}" = ${v}`).join(', ')} ` +
  `where "id" = ${u.id}`;

/**
 * The deferred writes of a transaction, in order, waiting for the next statement that wants an
 * answer (which flushes them first). Writes of the intake tables are folded together:
 *
 * - an insert joins the earlier insert of the same shape, so it moves ahead of the writes
 *   deferred in between;
 * - an update by id of a row inserted in the window is written into that row;
 * - an update by id of a row updated in the window is merged into that update.
 *
 * Moving a write ahead is safe because what it passes cannot observe it: deferred inserts of
 * other rows and updates by id of other rows (ids are reserved, so a new row's id is its own),
 * or writes of other tables, none of which reads these. Any other write of an intake table (a
 * delete, an update not by id or not of plain values) ends the folding before it, so that
 * nothing moves across it, and intake tables referring to each other keep their order.
 */
export class DeferredWrites {
  private readonly items: Item[] = [];
  private inserts = new Map<string, InsertGroup>();
  /** Rows inserted or updated in the window, by table and id literal. */
  private rows = new Map<string, InsertedRow | RowUpdate>();

  get size(): number {
    return this.items.length;
  }

  /** Adds a deferred write; false when it has no plain literal form (run it as usual then). */
  add(query: CompiledQuery): boolean {
    const shape = cachedShape(query.sql);
    if (shape.kind === 'insert') {
      const row = literals(query, shape.parameters);
      if (row !== null) return this.addInsert(query.sql, shape, row);
    } else if (shape.kind === 'update') {
      const values = literals(query, shape.parameters);
      const id = sqlLiteral(query.parameters[shape.idParameter]);
      if (values !== null && id !== null) return this.addUpdate(shape, id, values);
    }
    const text = inlineParameters(query);
    if (text === null) return false;
    if (shape.kind !== 'other' || shape.table === undefined || folded(shape.table)) {
      this.endFolding();
    }
    this.items.push(text);
    return true;
  }

  private addInsert(key: string, shape: Shape & { kind: 'insert' }, row: string[]): boolean {
    let group = this.inserts.get(key);
    if (group === undefined) {
      const { table, columns, tail } = shape;
      group = { kind: 'insert', table, columns, rows: [], tail };
      this.inserts.set(key, group);
      this.items.push(group);
    }
    group.rows.push(row);
    const at = shape.columns.indexOf('id');
    if (at >= 0) this.rows.set(`${shape.table}:${row[at]}`, { kind: 'row', group, values: row });
    return true;
  }

  private addUpdate(shape: Shape & { kind: 'update' }, id: string, values: string[]): boolean {
    const key = `${shape.table}:${id}`;
    const known = this.rows.get(key);
    if (known?.kind === 'update') {
      shape.columns.forEach((column, i) => known.values.set(column, values[i]!));
      return true;
    }
    if (known?.kind === 'row') {
      const at = shape.columns.map((c) => known.group.columns.indexOf(c));
      if (!at.includes(-1)) {
        at.forEach((column, i) => (known.values[column] = values[i]!));
        return true;
      }
    }
    const merged = new Map(shape.columns.map((column, i) => [column, values[i]!]));
    const entry: RowUpdate = { kind: 'update', table: shape.table, id, values: merged };
    this.rows.set(key, entry);
    this.items.push(entry);
    return true;
  }

  private endFolding(): void {
    this.inserts = new Map();
    this.rows = new Map();
  }

  /** The statements to send, in order; empties the list. */
  take(): string[] {
    const out = this.items.map((item) =>
      typeof item === 'string'
        ? item
        : item.kind === 'insert'
          ? insertText(item)
          : updateText(item),
    );
    this.items.length = 0;
    this.endFolding();
    return out;
  }
}
