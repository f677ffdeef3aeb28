import { describe, expect, it } from 'vitest';

import { DEMO_SCRIPT } from '../../src/events/demo-scenario.js';
import { engines } from '../support/databases.js';
import { PLUGIN, type Harness } from '../support/harness.js';
import { PATHS, at, create, list, record } from '../automation/automation-fixtures.js';
import { idByName, useDemoHarness } from './demo-fixtures.js';

const SERVICES = PATHS.technicalServices;
const CHANGES = `${PLUGIN}/changes/`;

describe.each(engines())('blast radius and downstream applications on %s', (engine) => {
  let h: Harness;
  useDemoHarness(engine, (started) => (h = started));

  /** Plays the failures of the demo storm (not the clears), all at START. */
  async function storm(): Promise<void> {
    for (const alert of DEMO_SCRIPT.filter((a) => a.status === 'triggered')) {
      await record(h, {
        dedupId: alert.dedupId,
        target: { type: alert.target[0], identifier: alert.target[1] },
        criticality: alert.criticality,
        message: alert.message,
      });
    }
  }

  async function radiusOf(incidentId: number): Promise<any> {
    const answer = await h.call('GET', `${PATHS.incidents}${incidentId}/blast-radius/`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  }

  async function incidentRootedAt(name: string): Promise<any> {
    const incidents = await list(h, PATHS.incidents);
    const found = incidents.find((i) => i.root_cause_services[0]?.name === name);
    expect(found, `incident rooted at ${name}`).toBeDefined();
    return found;
  }

  const names = (objects: any[]) => objects.map((o) => o.name as string);
  const appcodes = (apps: any[]) => apps.map((a) => a.appcode as string);

  it('names the business applications a storm on the orders database reaches', async () => {
    await storm();
    const incident = await incidentRootedAt('postgres-orders');

    const radius = await radiusOf(incident.id);

    expect(radius).toMatchObject({
      incident_id: incident.id,
      incident_title: incident.title,
      affected_services_count: radius.affected_services.length,
      affected_devices_count: 1,
    });
    expect(radius.affected_services_count).toBeGreaterThan(1);
    expect(radius.incident).toMatchObject({ id: incident.id, title: incident.title });
    expect(names(radius.root_cause_services)).toEqual(['postgres-orders']);
    // The runners-up of the ranking are named, but they neither fail nor start the walk.
    expect(names(radius.root_cause_candidates)).toEqual(['san-storage', 'core-network']);
    expect(radius.root_cause_candidates[1].health_status).toBe('healthy');
    expect(radius.root_cause_services[0]).toMatchObject({ health_status: 'down', depth: 0 });
    expect(names(radius.affected_services)).toEqual(
      expect.arrayContaining(['postgres-orders', 'orders-api', 'catalog-api', 'shop-web']),
    );
    expect(radius.downstream_services.map((s: any) => [s.name, s.depth, s.health_status])).toEqual([
      ['catalog-api', 1, 'down'],
      ['orders-api', 1, 'down'],
      ['checkout-web', 2, 'down'],
      ['mobile-gateway', 2, 'down'],
      ['shop-web', 2, 'down'],
    ]);
    const checkout = radius.downstream_services.find((s: any) => s.name === 'checkout-web');
    expect(names(checkout.path)).toEqual(['postgres-orders', 'orders-api', 'checkout-web']);
    expect(checkout.dependencies).toHaveLength(2);

    // CRM shares only the virtualization platform (context of a VM alert), which is not failing.
    expect(appcodes(radius.business_applications)).toEqual(['MOBILE', 'PAY', 'SHOP']);
    expect(radius.business_applications[2]).toMatchObject({
      name: 'Online Shop',
      health_status: 'down',
      via: { name: 'orders-api' },
      depth: 1,
    });
    expect(names(radius.affected_devices)).toEqual(['db-01']);
    expect(radius.counts).toMatchObject({
      root_causes: 1,
      downstream_services: 5,
      business_applications: 3,
      devices: 1,
      recent_changes: 0,
    });
  });

  it('gives the affected services of an incident their health', async () => {
    await storm();
    const incident = await incidentRootedAt('postgres-orders');
    const detail = await h.call('GET', `${PATHS.incidents}${incident.id}/`);

    for (const listed of [incident, detail.body]) {
      const health = Object.fromEntries(
        listed.affected_services.map((s: any) => [s.name, s.health_status]),
      );
      // The virtualization platform is listed as context of a VM alert: not failing itself.
      expect(health).toMatchObject({
        'postgres-orders': 'down',
        'orders-api': 'down',
        'virtualization-platform': 'healthy',
      });
    }
    expect(incident.affected_services[0]).toEqual({
      id: expect.any(Number),
      url: expect.stringContaining('/technical-services/'),
      display: expect.any(String),
      name: expect.any(String),
      health_status: expect.any(String),
    });
  });

  it('reaches every application from the DNS failure, which auth-service needs', async () => {
    await storm();
    const incident = await incidentRootedAt('dns');
    const radius = await radiusOf(incident.id);
    expect(appcodes(radius.business_applications)).toEqual(['CRM', 'MOBILE', 'PAY', 'SHOP']);
    expect(radius.business_applications.every((a: any) => a.health_status === 'down')).toBe(true);
  });

  it('lists the changes of the last 24 hours on what the incident touches, newest first', async () => {
    const types = await list(h, `${PLUGIN}/change-types/`);
    const type = types.find((t) => t.name === 'deployment').id;
    const change = (objectType: string, objectId: number, minutes: number, text: string) =>
      create(h, CHANGES, {
        type,
        description: text,
        created_at: at(minutes),
        object_type: objectType,
        object_id: objectId,
      });
    const db01 = await idByName(h, PATHS.devices, 'db-01');
    const postgres = await idByName(h, SERVICES, 'postgres-orders');
    const crm = await idByName(h, SERVICES, 'crm-api');
    const vmware = await idByName(h, PATHS.clusters, 'vmw-prod');
    await change('device', db01, -180, 'db-01 firmware');
    await change('technical_service', postgres, -30, 'postgres-orders minor upgrade');
    await change('cluster', vmware, -600, 'vmw-prod patching');
    await change('technical_service', postgres, -25 * 60, 'too old');
    await change('technical_service', crm, -10, 'unrelated');

    await storm();
    const radius = await radiusOf((await incidentRootedAt('postgres-orders')).id);

    expect(radius.recent_changes.map((c: any) => c.description)).toEqual([
      'postgres-orders minor upgrade',
      'db-01 firmware',
      'vmw-prod patching',
    ]);
    expect(radius.recent_changes[1]).toMatchObject({
      object_type: 'device',
      object: { id: db01, name: 'db-01' },
      type: { name: 'deployment' },
    });
    expect(radius.counts.recent_changes).toBe(3);
  });

  it('shows redundancy in the demo: one payment provider down degrades Payments', async () => {
    await record(h, {
      dedupId: 'adyen-down',
      target: { type: 'technical_service', identifier: 'psp-adyen' },
    });
    const radius = await radiusOf((await incidentRootedAt('psp-adyen')).id);
    expect(radius.downstream_services.map((s: any) => [s.name, s.health_status])).toEqual([
      ['payments-api', 'degraded'],
      ['checkout-web', 'degraded'],
    ]);
    expect(radius.business_applications).toEqual([
      expect.objectContaining({ appcode: 'PAY', health_status: 'degraded' }),
    ]);
    expect(radius.counts).toMatchObject({ services_down: 1, services_degraded: 2 });
  });

  it('shows maintenance in the demo: the CRM database under maintenance degrades CRM', async () => {
    const db03 = await idByName(h, PATHS.devices, 'db-03');
    await create(h, PATHS.maintenance, {
      status: 'started',
      description: 'Storage firmware',
      planned_start: at(-5),
      planned_end: at(55),
      contact: 'dba@example.com',
      object_type: 'device',
      object_id: db03,
    });
    const services = await list(h, SERVICES);
    const status = (name: string) => services.find((s) => s.name === name).health_status;
    expect(status('postgres-crm')).toBe('under_maintenance');
    expect(status('crm-api')).toBe('degraded');
    expect(status('crm-web')).toBe('degraded');
    expect(status('orders-api')).toBe('healthy');
    const apps = await list(h, `${PLUGIN}/business-applications/`);
    expect(apps.map((a) => [a.appcode, a.health_status])).toEqual([
      ['CRM', 'degraded'],
      ['MOBILE', 'healthy'],
      ['PAY', 'healthy'],
      ['SHOP', 'healthy'],
    ]);
  });

  it('answers 404 for an unknown incident and 405 for writes', async () => {
    const unknown = await h.call('GET', `${PATHS.incidents}4242/blast-radius/`);
    expect(unknown).toMatchObject({ status: 404, body: { detail: 'Incident 4242 not found.' } });
    const del = await h.call('DELETE', `${PATHS.incidents}4242/blast-radius/`);
    expect(del.status).toBe(405);
  });

  describe('dependency graph', () => {
    const graphOf = async (name: string, query = '') =>
      h.call('GET', `${SERVICES}${await idByName(h, SERVICES, name)}/dependencies/graph/${query}`);

    it('draws the services around one, with health and dependency types', async () => {
      await record(h, {
        dedupId: 'lb-a-down',
        target: { type: 'technical_service', identifier: 'edge-lb-a' },
      });
      const answer = await graphOf('shop-web', '?depth=1');
      expect(answer.status).toBe(200);
      const { nodes, links } = answer.body;
      expect(answer.body.depth).toBe(1);
      expect(nodes[0]).toMatchObject({
        name: 'shop-web',
        service_type: 'technical',
        role: 'self',
        health_status: 'degraded',
      });
      expect(
        nodes
          .filter((n: any) => n.role === 'upstream')
          .map((n: any) => n.name)
          .sort(),
      ).toEqual([
        'auth-service',
        'catalog-api',
        'edge-lb-a',
        'edge-lb-b',
        'orders-api',
        'virtualization-platform',
      ]);
      const lbLink = links.find(
        (l: any) => l.source === nodes.find((n: any) => n.name === 'edge-lb-a').id,
      );
      expect(lbLink).toMatchObject({
        name: 'edge-load-balancers',
        dependency_type: 'redundancy',
        health_status: 'down',
      });
      expect(links.every((l: any) => ['normal', 'redundancy'].includes(l.dependency_type))).toBe(
        true,
      );
    });

    it('defaults to the dependency depth setting and refuses a bad depth', async () => {
      const deep = await graphOf('core-network');
      expect(deep.body.depth).toBe(5);
      // Every service but the two payment providers, which depend on nothing and serve one API.
      expect(deep.body.nodes).toHaveLength(19);

      for (const bad of ['0', '11', '1.5', 'deep', '-1']) {
        const answer = await graphOf('core-network', `?depth=${bad}`);
        expect(answer.status, bad).toBe(400);
        expect(Object.keys(answer.body), bad).toEqual(['depth']);
      }
      expect((await h.call('GET', `${SERVICES}9999/dependencies/graph/`)).status).toBe(404);
    });
  });

  it('documents every endpoint in the OpenAPI document', async () => {
    const schema = await h.call('GET', '/api/schema/', { token: null });
    const paths = Object.keys(schema.body.paths);
    for (const path of [
      `${PLUGIN}/technical-services/{id}/health/`,
      `${PLUGIN}/technical-services/{id}/dependencies/graph/`,
      `${PLUGIN}/incidents/{id}/blast-radius/`,
      `${PLUGIN}/devices/downstream-applications/`,
      `${PLUGIN}/devices/downstream-applications/{id}/`,
      `${PLUGIN}/clusters/downstream-applications/`,
      `${PLUGIN}/clusters/downstream-applications/{id}/`,
    ]) {
      expect(paths, path).toContain(path);
    }
    const graph = schema.body.paths[`${PLUGIN}/technical-services/{id}/dependencies/graph/`];
    expect(graph.get.parameters.map((p: any) => p.name)).toContain('depth');
    expect(Object.keys(graph)).toEqual(['get']);
  });
});
