import type { IncidentSnapshot } from '../incidents/incident-snapshot.js';
import type { TopologyIndex } from '../topology/topology-index.js';

/** The blast radius of an incident as a notification carries it: counts and application names. */
export interface BlastRadiusSummary {
  readonly counts: Readonly<Record<string, number>>;
  /** The names of the business applications reached, ordered by appcode. */
  readonly business_applications: readonly string[];
}

/** Summarises the blast radius of an incident over the topology; injected into the outbox. */
export type BlastRadiusSummarizer = (
  incident: IncidentSnapshot,
  topology: TopologyIndex,
) => BlastRadiusSummary;

/**
 * The blast radius from the topology alone: the services below the root causes (or below the
 * failing services when none is named) within the dependency depth, and the applications of
 * all of them. Service health is not weighed here.
 */
export const topologyBlastRadius: BlastRadiusSummarizer = (incident, topology) => {
  const affected = incident.affected.map((s) => s.id);
  const failing = affected.filter((s) => !incident.context.includes(s));
  const sources = incident.rootCauses.length > 0 ? incident.rootCauses.map((s) => s.id) : failing;
  const reached = new Set<number>([...sources, ...affected]);
  const downstream = new Set<number>();
  for (const source of [...sources, ...failing]) {
    for (const id of topology.downstream(source).keys()) {
      if (!reached.has(id)) downstream.add(id);
    }
  }
  const apps = new Set<number>();
  for (const id of [...reached, ...downstream]) {
    for (const app of topology.service(id)?.apps ?? []) apps.add(app);
  }
  const names = [...apps]
    .flatMap((a) => {
      const app = topology.apps.get(a);
      return app === undefined ? [] : [app];
    })
    .sort((a, b) => a.appcode.localeCompare(b.appcode))
    .map((app) => app.name);
  return {
    counts: {
      root_causes: incident.rootCauses.length,
      affected_services: affected.length,
      downstream_services: downstream.size,
      business_applications: names.length,
      devices: incident.devices.length,
      virtual_machines: incident.vms.length,
    },
    business_applications: names,
  };
};
