import type { DependencyView } from '../topology/topology-index.js';

/**
 * The incident's services that depend on none of its other services (within the depth): the
 * probable root causes. Ordered by name for stable titles. When every service depends on
 * another (only a dependency cycle does that), all of them are.
 */
export function rootCauses(services: Iterable<number>, graph: DependencyView): number[] {
  const all = new Set(services);
  const independent = [...all].filter((s) => {
    for (const upstream of graph.upstream(s).keys()) if (all.has(upstream)) return false;
    return true;
  });
  const roots = independent.length > 0 ? independent : [...all];
  const name = (id: number) => graph.service(id)?.name ?? '';
  return roots.sort((a, b) => name(a).localeCompare(name(b)) || a - b);
}

/** `Service disruption affecting a, b[ and N others]`, or the infrastructure form. */
export function incidentTitle(roots: readonly number[], graph: DependencyView, message: string) {
  if (roots.length === 0) return `Infrastructure alert: ${message.slice(0, 50)}...`;
  const names = roots.slice(0, 2).map((id) => graph.service(id)?.name ?? `#${id}`);
  const more = roots.length > 2 ? ` and ${roots.length - 2} others` : '';
  return `Service disruption affecting ${names.join(', ')}${more}`;
}
