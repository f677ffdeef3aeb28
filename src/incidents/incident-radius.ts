import {
  blastRadius,
  summarizeRadius,
  type BlastRadius,
  type BlastRadiusSummary,
  type IncidentFootprint,
} from '../topology/blast-radius.js';
import type { ServiceHealth } from '../topology/service-health.js';
import type { TopologyIndex } from '../topology/topology-index.js';
import { probableRootCauses } from './incident-health.js';
import type { IncidentSnapshot, NamedService } from './incident-snapshot.js';

/** What the blast radius of an incident is computed over. */
export interface RadiusView {
  readonly topology: TopologyIndex;
  readonly health: ServiceHealth;
}

/** An incident's blast radius, and the root causes it leaves out. */
export interface IncidentRadius {
  readonly radius: BlastRadius;
  /** Ranked root causes that are not probable ones (see probableRootCauses). */
  readonly runnersUp: readonly number[];
}

/**
 * What the incident's record says it touches, as the blast radius reads it: the walk starts at
 * its probable root causes, not at the runners-up of the ranking.
 */
export function incidentFootprint(
  snapshot: IncidentSnapshot,
): IncidentFootprint & { readonly runnersUp: readonly number[] } {
  const context = new Set(snapshot.context);
  const services = snapshot.affected.map((s) => s.id);
  const failing = new Set(services.filter((s) => !context.has(s)));
  const ranked = snapshot.rootCauses.map((s) => s.id);
  const rootCauses = probableRootCauses(ranked, failing);
  const runnersUp = ranked.filter((s) => !rootCauses.includes(s));
  return { services, rootCauses, runnersUp, context, devices: snapshot.devices, vms: snapshot.vms };
}

/**
 * The blast radius of an incident as `GET incidents/{id}/blast-radius/` and the notifications
 * both tell it: from its probable root causes down, with the health of `view`.
 */
export function incidentBlastRadius(view: RadiusView, snapshot: IncidentSnapshot): IncidentRadius {
  const footprint = incidentFootprint(snapshot);
  return {
    radius: blastRadius(view.topology, footprint, view.health),
    runnersUp: footprint.runnersUp,
  };
}

/** What a notification says of an incident's blast radius. */
export interface RadiusNotice {
  /** The probable root causes, most probable first. */
  readonly rootCauses: readonly NamedService[];
  /** The runners-up of the ranking: hypotheses, not failures. */
  readonly candidates: readonly NamedService[];
  readonly summary: BlastRadiusSummary;
}

/** The blast radius of an incident, named and counted for a notification. */
export function radiusNotice(view: RadiusView, snapshot: IncidentSnapshot): RadiusNotice {
  const { radius, runnersUp } = incidentBlastRadius(view, snapshot);
  const probable = new Set(radius.rootCauses.map((r) => r.service));
  const candidates = new Set(runnersUp);
  return {
    rootCauses: snapshot.rootCauses.filter((s) => probable.has(s.id)),
    candidates: snapshot.rootCauses.filter((s) => candidates.has(s.id)),
    summary: summarizeRadius(view.topology, radius, view.health),
  };
}
