import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';

import type { AnySchema, Database, Db } from './database.js';
import { RowCodec } from './row-codec.js';
import type { FieldSpec, LinkTable, ResourceSpec, Row, Tx } from './resource-spec.js';

export type Condition = (eb: ExpressionBuilder<AnySchema, string>) => Expression<SqlBool>;

export interface ListQuery {
  readonly where: readonly Condition[];
  /** Column names, `-` prefix for descending. */
  readonly ordering: readonly string[];
  readonly limit: number;
  readonly offset: number;
}

export interface ListPage {
  readonly count: number;
  readonly rows: Row[];
}

type Executor = Db | Tx;

/** Generic SQL for one table described by a ResourceSpec: reads, writes and link tables. */
export class ResourceStore {
  readonly codec: RowCodec;

  constructor(
    readonly spec: ResourceSpec,
    private readonly database: Database,
  ) {
    this.codec = new RowCodec(spec);
  }

  private get db(): Db {
    return this.database.db;
  }

  async list(query: ListQuery): Promise<ListPage> {
    const filtered = (ex: Executor) => {
      let q = ex.selectFrom(this.spec.table);
      for (const condition of query.where) q = q.where(condition);
      return q;
    };

    const counted = await filtered(this.db)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();

    let q = filtered(this.db).selectAll();
    for (const entry of [...query.ordering, 'id']) {
      const desc = entry.startsWith('-');
      q = q.orderBy(desc ? entry.slice(1) : entry, desc ? 'desc' : 'asc');
    }
    const rows = await q.limit(query.limit).offset(query.offset).execute();
    return { count: Number(counted.count), rows: rows.map((r) => this.codec.decode(r)) };
  }

  async get(id: number, ex: Executor = this.db): Promise<Row | null> {
    const row = await ex
      .selectFrom(this.spec.table)
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : this.codec.decode(row);
  }

  async getMany(ids: readonly number[], ex: Executor = this.db): Promise<Row[]> {
    if (ids.length === 0) return [];
    const rows = await ex
      .selectFrom(this.spec.table)
      .selectAll()
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return rows.map((r) => this.codec.decode(r));
  }

  /** Ids among `ids` that exist. */
  async existingIds(ids: readonly number[], ex: Executor = this.db): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await ex
      .selectFrom(this.spec.table)
      .select('id')
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Set(rows.map((r) => Number(r.id)));
  }

  /** Id of another row whose `columns` hold `values`, if any. */
  async findClash(
    tx: Tx,
    columns: readonly string[],
    values: readonly unknown[],
    exceptId: number | null,
  ): Promise<number | null> {
    let q = tx.selectFrom(this.spec.table).select('id');
    columns.forEach((column, i) => {
      q = q.where(column, '=', this.codec.encode({ [column]: values[i] })[column]);
    });
    if (exceptId !== null) q = q.where('id', '<>', exceptId);
    const row = await q.limit(1).executeTakeFirst();
    return row === undefined ? null : Number(row.id);
  }

  async insert(tx: Tx, values: Record<string, unknown>): Promise<number> {
    const row = await tx
      .insertInto(this.spec.table)
      .values(this.codec.encode(values))
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async update(tx: Tx, id: number, values: Record<string, unknown>): Promise<void> {
    if (Object.keys(values).length === 0) return;
    await tx
      .updateTable(this.spec.table)
      .set(this.codec.encode(values))
      .where('id', '=', id)
      .execute();
  }

  /** Deletes the row; returns false when it did not exist. */
  async delete(tx: Tx, id: number): Promise<boolean> {
    const result = await tx.deleteFrom(this.spec.table).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The linked ids of each row in `ids`, for one many-to-many field. */
  async loadLinks(
    field: FieldSpec,
    ids: readonly number[],
    ex: Executor = this.db,
  ): Promise<Map<number, number[]>> {
    const link = linkOf(field);
    const result = new Map<number, number[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return result;
    const rows = await ex
      .selectFrom(link.table)
      .select([`${link.ownColumn} as own`, `${link.otherColumn} as other`])
      .where(link.ownColumn, 'in', [...new Set(ids)])
      .orderBy(link.orderColumn ?? link.otherColumn)
      .execute();
    for (const row of rows) result.get(Number(row.own))?.push(Number(row.other));
    return result;
  }

  /** Makes the links of row `id` for `field` exactly `targetIds`. */
  async setLinks(
    tx: Tx,
    field: FieldSpec,
    id: number,
    targetIds: readonly number[],
  ): Promise<void> {
    const link = linkOf(field);
    await tx.deleteFrom(link.table).where(link.ownColumn, '=', id).execute();
    const unique = [...new Set(targetIds)];
    if (unique.length === 0) return;
    await tx
      .insertInto(link.table)
      .values(unique.map((other) => ({ [link.ownColumn]: id, [link.otherColumn]: other })))
      .execute();
  }
}

function linkOf(field: FieldSpec): LinkTable {
  if (field.type.kind !== 'refs') throw new Error(`${field.name} is not a many-to-many field`);
  return field.type.link;
}
