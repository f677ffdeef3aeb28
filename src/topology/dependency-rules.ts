import type { FieldErrors } from '../app-error.js';
import type { Tx, WriteContext } from '../store/resource-spec.js';

/**
 * The chain of services from `from` up to `to` following "depends on" links, or null when
 * `from` does not depend on `to`. Breadth-first, one query per level, so the path is shortest.
 */
async function upstreamPath(
  tx: Tx,
  from: number,
  to: number,
  ignoreDependency: number | null,
): Promise<number[] | null> {
  const parent = new Map<number, number>([[from, from]]);
  let frontier = [from];
  while (frontier.length > 0) {
    let q = tx
      .selectFrom('service_dependencies')
      .select(['downstream_service_id as down', 'upstream_service_id as up'])
      .where('downstream_service_id', 'in', frontier);
    if (ignoreDependency !== null) q = q.where('id', '<>', ignoreDependency);
    const edges = await q.execute();

    const next: number[] = [];
    for (const edge of edges) {
      const up = Number(edge.up);
      if (parent.has(up)) continue;
      parent.set(up, Number(edge.down));
      if (up === to) return walkBack(parent, to);
      next.push(up);
    }
    frontier = next;
  }
  return null;
}

function walkBack(parent: Map<number, number>, end: number): number[] {
  const path = [end];
  let node = end;
  while (parent.get(node) !== node) {
    node = parent.get(node)!;
    path.unshift(node);
  }
  return path;
}

async function serviceNames(tx: Tx, ids: number[]): Promise<Map<number, string>> {
  const rows = await tx
    .selectFrom('technical_services')
    .select(['id', 'name'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [Number(r.id), String(r.name)]));
}

/**
 * A dependency may not close a cycle: the upstream service must not already depend, directly or
 * through others, on the downstream one, nor be the downstream one itself. The refusal names
 * the cycle (`would create a cycle: db → api → db`, or `db → db`).
 */
export async function dependencyRuleErrors(context: WriteContext): Promise<FieldErrors> {
  const { tx, candidate, existing } = context;
  const upstream = Number(candidate.upstream_service_id);
  const downstream = Number(candidate.downstream_service_id);
  // A service depending on itself is the shortest cycle: x → x.
  const path =
    upstream === downstream
      ? [upstream]
      : await upstreamPath(tx, upstream, downstream, existing?.id ?? null);
  if (path === null) return {};

  const names = await serviceNames(tx, path);
  const cycle = [downstream, ...path].map((id) => names.get(id) ?? `#${id}`);
  return { downstream_service: [`would create a cycle: ${cycle.join(' → ')}`] };
}
