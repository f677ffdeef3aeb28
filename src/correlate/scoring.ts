import type { DependencyView } from '../topology/topology-index.js';
import type {
  CorrelationSettings,
  EventFacts,
  IncidentView,
  ScoredCandidate,
} from './correlation-types.js';
import { DEPENDENCY_STRENGTH, TIME_DECAY_MINUTES, TIME_FACTOR_FLOOR, WEIGHTS } from './weights.js';

const MINUTE_MS = 60_000;

/** 1 when the event affects a service the incident already lists, else 0. */
export function serviceOverlap(event: EventFacts, incident: IncidentView): number {
  return event.services.some((s) => incident.services.has(s)) ? 1 : 0;
}

export interface DependencyRelation {
  readonly strength: number;
  readonly relation: string;
  /** How much a shared cause counts (1 = fully; the Faultline rule's judgement). */
  readonly specificity?: number;
  /** Hops to the nearest related alerting service: breaks ties between equal scores. */
  readonly distance?: number;
}

/** The dependency term of a correlation rule: how one event relates to one incident. */
export interface CorrelationRule {
  readonly name: 'plugin' | 'faultline';
  /** Whether the event affects a service the incident lists (the service-overlap term). */
  overlaps(event: EventFacts, incident: IncidentView): boolean;
  relation(event: EventFacts, incident: IncidentView): DependencyRelation;
}

/** The plugin's rule as the deployment guide describes it: any shared upstream counts 0.5. */
export class PluginRule implements CorrelationRule {
  readonly name = 'plugin';

  constructor(private readonly graph: DependencyView) {}

  overlaps(event: EventFacts, incident: IncidentView): boolean {
    return serviceOverlap(event, incident) === 1;
  }

  relation(event: EventFacts, incident: IncidentView): DependencyRelation {
    return dependencyStrength(event, incident, this.graph);
  }
}

function nameOf(graph: DependencyView, id: number): string {
  return graph.service(id)?.name ?? `#${id}`;
}

/**
 * The strongest dependency relation between an event service and an incident service:
 * the same service (1.0); one depends on the other within the depth, either way (0.8); both
 * depend on a common upstream within the depth (0.5); none (0).
 */
export function dependencyStrength(
  event: EventFacts,
  incident: IncidentView,
  graph: DependencyView,
): DependencyRelation {
  let best: DependencyRelation = { strength: 0, relation: 'no dependency relation' };
  for (const e of event.services) {
    if (incident.services.has(e)) {
      return {
        strength: DEPENDENCY_STRENGTH.sameService,
        relation: `same service ${nameOf(graph, e)}`,
      };
    }
  }
  for (const e of event.services) {
    const up = graph.upstream(e);
    const down = graph.downstream(e);
    for (const i of incident.services) {
      if (up.has(i)) {
        return {
          strength: DEPENDENCY_STRENGTH.dependent,
          relation: `${nameOf(graph, e)} depends on ${nameOf(graph, i)}`,
        };
      }
      if (down.has(i)) {
        return {
          strength: DEPENDENCY_STRENGTH.dependent,
          relation: `${nameOf(graph, i)} depends on ${nameOf(graph, e)}`,
        };
      }
      if (best.strength === 0) {
        const shared = commonUpstream(up, graph.upstream(i));
        if (shared !== null) {
          best = {
            strength: DEPENDENCY_STRENGTH.commonUpstream,
            relation:
              `${nameOf(graph, e)} and ${nameOf(graph, i)} ` +
              `both depend on ${nameOf(graph, shared)}`,
          };
        }
      }
    }
  }
  return best;
}

/** A service both closures contain (the nearest to the first), or null. */
function commonUpstream(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>) {
  let found: number | null = null;
  let nearest = Infinity;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [id, distance] of small) {
    if (large.has(id) && distance < nearest) {
      found = id;
      nearest = distance;
    }
  }
  return found;
}

/** Share of the event's devices and VMs that are already among the incident's (0 if none). */
export function infrastructureShare(event: EventFacts, incident: IncidentView): number {
  const total = event.devices.length + event.vms.length;
  if (total === 0) return 0;
  const shared =
    event.devices.filter((d) => incident.devices.has(d)).length +
    event.vms.filter((v) => incident.vms.has(v)).length;
  return shared / total;
}

/**
 * 1.0 while the gap between the event and the incident's latest event is within the window,
 * then falling linearly to 0.5 over the next 90 minutes, and 0.5 beyond.
 */
export function timeFactor(gapMinutes: number, windowMinutes: number): number {
  if (gapMinutes <= windowMinutes) return 1;
  const decay = Math.min(1, (gapMinutes - windowMinutes) / TIME_DECAY_MINUTES);
  return 1 - (1 - TIME_FACTOR_FLOOR) * decay;
}

/** 1 when the event's criticality equals the incident's severity, else 0. */
export function severityMatch(event: EventFacts, incident: IncidentView): number {
  return event.criticality === incident.severity ? 1 : 0;
}

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

/** The correlation score of an event against one incident, with its five components. */
export function scoreIncident(
  event: EventFacts,
  incident: IncidentView,
  rule: CorrelationRule,
  settings: CorrelationSettings,
): ScoredCandidate {
  const overlap = rule.overlaps(event, incident) ? WEIGHTS.serviceOverlap : 0;
  const { strength, relation, specificity, distance } = rule.relation(event, incident);
  const dependency = WEIGHTS.dependency * strength;
  const infrastructure = WEIGHTS.infrastructure * infrastructureShare(event, incident);
  const gapMinutes = (event.time - incident.lastEventAt) / MINUTE_MS;
  const factor = timeFactor(gapMinutes, settings.windowMinutes);
  const bonus = WEIGHTS.severityBonus * severityMatch(event, incident);

  const score = Math.min(1, (overlap + dependency + infrastructure) * factor + bonus);
  return {
    incident_id: incident.id,
    score: round(score),
    components: {
      service_overlap: round(overlap),
      dependency: round(dependency),
      infrastructure: round(infrastructure),
      time_factor: round(factor),
      severity_bonus: round(bonus),
      ...(specificity === undefined ? {} : { specificity: round(specificity) }),
    },
    relation,
    distance: distance ?? Infinity,
  };
}
