import type { FastifyInstance } from 'fastify';

import { NotFoundError } from '../app-error.js';
import type { IndexView } from '../incidents/current-indexes.js';
import { incidentBlastRadius } from '../incidents/incident-radius.js';
import { readIncidentSnapshots, type IncidentSnapshot } from '../incidents/incident-snapshot.js';
import { radiusCounts, type BlastRadius, type ReachedService } from '../topology/blast-radius.js';
import { changeTargets, recentChanges, type ChangeTargets } from '../topology/recent-changes.js';
import { requestBaseUrl } from './base-url.js';
import { registerReadRoute, type TopologyViewDeps } from './read-only-routes.js';
import { resourcePath } from './resource-paths.js';
import { idParamsSchema } from './resource-schemas.js';
import type { ApiObject } from './resource-serializer.js';
import { TopologyBriefs } from './topology-briefs.js';

/** The blast radius as the API shows it, but for the recent changes (read afterwards). */
function radiusBody(
  view: IndexView,
  briefs: TopologyBriefs,
  snapshot: IncidentSnapshot,
  radius: BlastRadius,
  runnersUp: readonly number[],
): ApiObject {
  const health = view.health;
  const service = (id: number) => ({ ...briefs.service(id), health_status: health.status(id) });
  const reached = (entry: ReachedService) => ({
    ...service(entry.service),
    depth: entry.depth,
    path: entry.path.map((id) => briefs.service(id)),
    dependencies: entry.dependencies,
  });
  const context = new Set(snapshot.context);
  return {
    // The plugin's flat fields, as its clients read them: the counts are of the lists below.
    incident_id: snapshot.id,
    incident_title: snapshot.title,
    affected_services_count: radius.affected.length,
    affected_devices_count: radius.devices.length,
    incident: {
      id: snapshot.id,
      url: `${briefs.base}${resourcePath('incidents')}${snapshot.id}/`,
      display: snapshot.title,
      title: snapshot.title,
      status: snapshot.status,
      severity: snapshot.severity,
    },
    root_cause_services: radius.rootCauses.map(reached),
    root_cause_candidates: runnersUp.map(service),
    affected_services: radius.affected.map((id) => ({ ...service(id), context: context.has(id) })),
    downstream_services: radius.downstream.map(reached),
    business_applications: radius.apps.map((app) => ({
      ...briefs.app(app.app),
      health_status: app.status,
      via: briefs.service(app.via),
      depth: app.depth,
    })),
    affected_devices: radius.devices.map((id) => briefs.device(id)),
    affected_virtual_machines: radius.vms.map((id) => briefs.vm(id)),
    counts: radiusCounts(radius, health),
  };
}

/**
 * `incidents/{id}/blast-radius/`: what the incident hurts now, from its root causes down
 * within BUSINESS_APP_MAX_DEPENDENCY_DEPTH, with current health, and the changes of the last
 * 24 hours on what it touches as probable causes. Works for closed incidents too (their
 * services are then seldom down).
 */
export function registerBlastRadiusRoutes(app: FastifyInstance, deps: TopologyViewDeps): void {
  const db = deps.registry.database.db;
  const changes = deps.registry.store('changes');
  const changeSpec = deps.registry.spec('changes');

  registerReadRoute(app, {
    url: `${resourcePath('incidents')}:id/blast-radius/`,
    tags: ['business-application'],
    summary: 'What an incident hurts: services, business applications, health, recent changes',
    params: idParamsSchema,
    handle: async (request) => {
      const { id } = request.params as { id: number };
      const snapshot = (await readIncidentSnapshots(db, [id])).get(id);
      if (snapshot === undefined) throw new NotFoundError(`Incident ${id} not found.`);

      const base = requestBaseUrl(request, deps.baseUrl);
      const { body, targets } = await deps.views.read((view) => {
        const { radius, runnersUp } = incidentBlastRadius(view, snapshot);
        const briefs = new TopologyBriefs(deps.registry, view.topology, base);
        const targets: ChangeTargets = changeTargets(view.topology, radius);
        const body = radiusBody(view, briefs, snapshot, radius, runnersUp);
        return { body, targets };
      });

      const recent = await recentChanges(changes, targets, deps.clock.now());
      return {
        ...body,
        counts: { ...(body.counts as object), recent_changes: recent.count },
        recent_changes: await deps.serializer.serialize(changeSpec, recent.rows, base),
      };
    },
  });
}
