import type { FieldErrors } from '../app-error.js';
import { ROUTING_KEY_PATTERN } from '../config/settings.js';
import { inSlices, type Db } from '../store/database.js';
import type { FieldSpec, Row, WriteContext } from '../store/resource-spec.js';
import { isMaskOf } from '../store/secret-mask.js';
import type { DependencyView } from './topology-index.js';

const COLUMN = 'pagerduty_routing_key';

/** The PagerDuty routing key a technical service or business application may carry. */
export const routingKeyField: FieldSpec = {
  name: COLUMN,
  type: { kind: 'string', maxLength: 64 },
  nullable: true,
  default: null,
  secret: true,
  description:
    'PagerDuty Events API v2 routing key for incidents caused here or downstream. ' +
    'Shown masked; sending the masked value back keeps the key.',
};

/** A key sent back masked, as a client read it, keeps the stored key (derive hook). */
export function keepMaskedRoutingKey(
  candidate: Record<string, unknown>,
  existing: Row | null,
): Record<string, unknown> {
  const stored = existing?.[COLUMN];
  return isMaskOf(candidate[COLUMN], stored) ? { [COLUMN]: stored } : {};
}

/** The key must look like a PagerDuty integration key (validate hook). */
export function routingKeyErrors(context: WriteContext): Promise<FieldErrors> {
  const key = context.candidate[COLUMN];
  const bad = typeof key === 'string' && !ROUTING_KEY_PATTERN.test(key);
  const errors: FieldErrors = bad ? { [COLUMN]: ['Enter 8 to 64 letters and digits.'] } : {};
  return Promise.resolve(errors);
}

/** Services within reach of `from`, nearest first, ties by id: the order keys are tried in. */
function byDistance(graph: DependencyView, from: number): number[] {
  const reach = [...graph.upstream(from).entries()].filter(([id]) => id !== from);
  reach.sort(([a, da], [b, db]) => da - db || a - b);
  return [from, ...reach.map(([id]) => id)];
}

async function keysOf(ex: Db, table: string, ids: readonly number[]) {
  const keys = new Map<number, string>();
  for (const slice of inSlices([...new Set(ids)])) {
    const rows = await ex
      .selectFrom(table)
      .select(['id', COLUMN])
      .where('id', 'in', slice)
      .where(COLUMN, 'is not', null)
      .execute();
    for (const row of rows) keys.set(Number(row.id), String(row[COLUMN]));
  }
  return keys;
}

/**
 * The routing key inherited by an incident on `services` (its root causes first, most probable
 * first, then the other services it affects). For each service in turn: its own key, else a key
 * of one of its business applications, else the same for the services it depends on, nearest
 * first within the dependency depth; the first key found wins. Null when none carries one.
 */
export async function inheritedRoutingKey(
  ex: Db,
  graph: DependencyView,
  services: readonly number[],
): Promise<string | null> {
  const chains = services.map((s) => byDistance(graph, s));
  const reached = [...new Set(chains.flat())];
  const apps = (id: number) => [...(graph.service(id)?.apps ?? [])].sort((a, b) => a - b);
  const serviceKeys = await keysOf(ex, 'technical_services', reached);
  const appKeys = await keysOf(ex, 'business_applications', reached.flatMap(apps));
  for (const chain of chains) {
    for (const id of chain) {
      const own = serviceKeys.get(id);
      if (own !== undefined) return own;
      const app = apps(id).find((a) => appKeys.has(a));
      if (app !== undefined) return appKeys.get(app)!;
    }
  }
  return null;
}
