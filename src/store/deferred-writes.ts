import { CompiledQuery } from 'kysely';

/** Tables alert intake inserts into many times a transaction: sent as multi-row inserts. */
const INSERTED_TABLES = new Set(['events', 'incident_events', 'incident_timeline']);
/** Tables whose rows alert intake updates by id many times: merged per row. */
const UPDATED_TABLES = new Set(['events', 'incidents']);
const folded = (table: string) => INSERTED_TABLES.has(table) || UPDATED_TABLES.has(table);

const INSERT =
  /^insert into "([a-z_]+)" \(([^()]*)\) values \(([^()]*)\)( on conflict \([^()]*\) do nothing)?$/;
const UPDATE_BY_ID = /^update "([a-z_]+)" set ([^()]*) where "id" = (\?|\$\d+)$/;
const WRITE = /^(?:update|delete from|insert into) "([a-z_]+)"/;
const COLUMN = /^"([a-z_]+)"$/;
const ASSIGNMENT = /^"([a-z_]+)" = (\?|\$\d+)$/;
const NUMBERED = /^\$(\d+)$/;

/** Where a write transaction's deferred writes wait: its connection's DeferredWrites. */
export interface DeferringTarget {
  /** Holds a write nobody reads the result of; false when it cannot wait (run it then). */
  add(query: CompiledQuery): boolean;
}

/** How a dialect writes parameters: `$1, $2` (PostgreSQL) or `?, ?` in order (SQLite). */
export type Placeholders = 'numbered' | 'positional';

export interface DeferredWritesOptions {
  readonly placeholders: Placeholders;
  /** Most rows one insert statement takes. */
  readonly maxRows: number;
  /** Whether a value can wait (PostgreSQL sends only plain literals together). */
  readonly accepts?: (value: unknown) => boolean;
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

/** Rows of one multi-row insert. */
interface InsertGroup {
  readonly kind: 'insert';
  /** The text of the single-row insert the group folds. */
  readonly key: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: unknown[][];
  readonly tail: string;
}

/** One row's updates, merged: column → value, in the order first set. */
interface RowUpdate {
  readonly kind: 'update';
  readonly table: string;
  readonly id: unknown;
  readonly values: Map<string, unknown>;
}

/** A row waiting in an insert group. */
interface InsertedRow {
  readonly kind: 'row';
  readonly group: InsertGroup;
  readonly values: unknown[];
}

type Item = CompiledQuery | InsertGroup | RowUpdate;

/** Parameter indexes of a list of placeholders, the first being the statement's `first`-th. */
function placeholders(list: readonly string[], first: number): number[] | null {
  const out: number[] = [];
  for (const [i, p] of list.entries()) {
    const numbered = NUMBERED.exec(p);
    if (numbered === null && p !== '?') return null;
    out.push(numbered === null ? first + i : Number(numbered[1]) - 1);
  }
  return out;
}

function shapeOf(sql: string): Shape {
  const other = { kind: 'other', table: WRITE.exec(sql)?.[1] } as const;
  const insert = INSERT.exec(sql);
  if (insert !== null && INSERTED_TABLES.has(insert[1]!)) {
    const columns = insert[2]!.split(', ').map((c) => COLUMN.exec(c)?.[1] ?? null);
    const parameters = placeholders(insert[3]!.split(', '), 0);
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
    const parameters = placeholders(
      assignments.map((a) => a![2]!),
      0,
    );
    const id = placeholders([update[3]!], assignments.length);
    if (parameters === null || id === null) return other;
    const columns = assignments.map((a) => a![1]!);
    return { kind: 'update', table: update[1]!, columns, parameters, idParameter: id[0]! };
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

const quoted = (columns: Iterable<string>) => [...columns].map((c) => `"${c}"`);

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
export class DeferredWrites implements DeferringTarget {
  private readonly items: Item[] = [];
  private inserts = new Map<string, InsertGroup>();
  /** Rows inserted or updated in the window, by table and id. */
  private rows = new Map<string, InsertedRow | RowUpdate>();
  /** Multi-row insert texts, by single-row text and number of rows. */
  private readonly insertTexts = new Map<string, string>();

  constructor(private readonly options: DeferredWritesOptions) {}

  get size(): number {
    return this.items.length;
  }

  /** Adds a deferred write; false when it cannot wait (run it as usual then). */
  add(query: CompiledQuery): boolean {
    const accepts = this.options.accepts;
    if (accepts !== undefined && !query.parameters.every(accepts)) return false;
    const shape = cachedShape(query.sql);
    const value = (i: number) => query.parameters[i];
    if (shape.kind === 'insert') {
      this.addInsert(query.sql, shape, shape.parameters.map(value));
    } else if (shape.kind === 'update') {
      this.addUpdate(shape, value(shape.idParameter), shape.parameters.map(value));
    } else {
      if (shape.table === undefined || folded(shape.table)) this.endFolding();
      this.items.push(query);
    }
    return true;
  }

  private addInsert(key: string, shape: Shape & { kind: 'insert' }, row: unknown[]): void {
    let group = this.inserts.get(key);
    if (group === undefined) {
      const { table, columns, tail } = shape;
      group = { kind: 'insert', key, table, columns, rows: [], tail };
      this.inserts.set(key, group);
      this.items.push(group);
    }
    group.rows.push(row);
    const at = shape.columns.indexOf('id');
    if (at >= 0) this.rows.set(`${shape.table}:${row[at]}`, { kind: 'row', group, values: row });
  }

  private addUpdate(shape: Shape & { kind: 'update' }, id: unknown, values: unknown[]): void {
    const key = `${shape.table}:${id}`;
    const known = this.rows.get(key);
    if (known?.kind === 'update') {
      shape.columns.forEach((column, i) => known.values.set(column, values[i]));
      return;
    }
    if (known?.kind === 'row') {
      const at = shape.columns.map((c) => known.group.columns.indexOf(c));
      if (!at.includes(-1)) {
        at.forEach((column, i) => (known.values[column] = values[i]));
        return;
      }
    }
    const merged = new Map(shape.columns.map((column, i) => [column, values[i]]));
    const entry: RowUpdate = { kind: 'update', table: shape.table, id, values: merged };
    this.rows.set(key, entry);
    this.items.push(entry);
  }

  private endFolding(): void {
    this.inserts = new Map();
    this.rows = new Map();
  }

  /** The statements to run, in order; empties the list. */
  take(): CompiledQuery[] {
    const out: CompiledQuery[] = [];
    for (const item of this.items) {
      if (!('kind' in item)) out.push(item);
      else if (item.kind === 'update') out.push(this.updateQuery(item));
      else {
        for (let i = 0; i < item.rows.length; i += this.options.maxRows) {
          out.push(this.insertQuery(item, i, Math.min(item.rows.length, i + this.options.maxRows)));
        }
      }
    }
    this.items.length = 0;
    this.endFolding();
    return out;
  }

  /** The placeholder of the `i`-th parameter (0-based). */
  private placeholder(i: number): string {
    return this.options.placeholders === 'numbered' ? `$${i + 1}` : '?';
  }

  /** The insert of `group`'s rows from `start` up to `end`. */
  private insertQuery(group: InsertGroup, start: number, end: number): CompiledQuery {
    const width = group.columns.length;
    // Filled by hand: this runs for every row of a storm, and Array.prototype.flat is slow.
    const parameters: unknown[] = new Array((end - start) * width);
    for (let r = start, k = 0; r < end; r++) {
      const row = group.rows[r]!;
      for (let c = 0; c < width; c++) parameters[k++] = row[c];
    }
    const key = `${group.key}\u0000${end - start}`;
    let sql = this.insertTexts.get(key);
    if (sql === undefined) {
      const tuples = Array.from(
        { length: end - start },
        (_, r) => `(${group.columns.map((_c, c) => this.placeholder(r * width + c)).join(', ')})`,
      );
      sql =
        `insert into "${group.table}" (${quoted(group.columns).join(', ')}) values ` +
        `${tuples.join(', ')}${group.tail}`;
      if (this.insertTexts.size < MAX_SHAPES) this.insertTexts.set(key, sql);
    }
    return CompiledQuery.raw(sql, parameters);
  }

  private updateQuery(update: RowUpdate): CompiledQuery {
    const sets = quoted(update.values.keys()).map((c, i) => `${c} = ${this.placeholder(i)}`);
    const sql = `update "${update.table}" set ${sets.join(', ')} where "id" = ${this.placeholder(
      sets.length,
    )}`;
    return CompiledQuery.raw(sql, [...update.values.values(), update.id]);
  }
}
