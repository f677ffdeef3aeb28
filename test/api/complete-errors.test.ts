import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { PATHS, START, countOf, create, eventBody, maintenanceBody, read } from './api-fixtures.js';

const { businessApplications, technicalServices, serviceDependencies, devices } = PATHS;

const REQUIRED = ['This field is required.'];
const BLANK = ['This field may not be blank.'];
const APPCODE_TAKEN = ['business application with this appcode already exists.'];
const missing = (...ids: number[]) =>
  ids.map((id) => `Invalid pk "${id}" - object does not exist.`);

describe.each(engines())('one answer names every bad field on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  beforeEach(async () => {
    await h.reset();
    h.clock.set(START);
  });
  afterAll(async () => {
    await h.close();
  });

  /** Sends a write, expects 400 and that nothing changed; returns the answer's body. */
  const refused = async (method: string, path: string, body: unknown, listPath = path) => {
    const before = await countOf(h, listPath);
    const answer = await h.call(method, path, { body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(await countOf(h, listPath)).toBe(before);
    return answer.body;
  };

  it('names a taken unique value beside a missing field', async () => {
    await create(h, businessApplications, { appcode: 'SHOP', name: 'Shop', owner: 'o' });

    expect(await refused('POST', businessApplications, { appcode: 'SHOP', name: 'dup' })).toEqual({
      owner: REQUIRED,
      appcode: APPCODE_TAKEN,
    });
  });

  it('names unknown related ids beside fields that fail the schema', async () => {
    const body = await refused('POST', devices, { name: 'd'.repeat(65), cluster: 404, tags: 'x' });
    expect(body).toEqual({
      name: ['Ensure this field has no more than 64 characters.'],
      tags: ['Expected a list of items but got type "str".'],
      cluster: missing(404),
    });

    const service = { name: '', devices: [31, 32], clusters: [7], service_type: 'x' };
    expect(await refused('POST', technicalServices, service)).toEqual({
      name: BLANK,
      service_type: ['"x" is not a valid choice.'],
      devices: missing(31, 32),
      clusters: missing(7),
    });
  });

  it('checks a field that fails the schema no further', async () => {
    const device = await create(h, devices, { name: 'db-01' });

    const body = await refused('POST', technicalServices, {
      name: '',
      devices: [device.id, 'x'],
    });

    expect(body).toEqual({ name: BLANK, devices: ['A valid integer is required.'] });
  });

  it('names an unknown target beside a bad field, and a bad target type alone', async () => {
    const window = maintenanceBody('device', 99, { status: 'soon' });
    expect(await refused('POST', PATHS.maintenance, window)).toEqual({
      status: ['"soon" is not a valid choice.'],
      object_id: ['No device with id 99.'],
    });

    const badType = maintenanceBody('rack', 99, { contact: '' });
    expect(await refused('POST', PATHS.maintenance, badType)).toEqual({
      contact: BLANK,
      object_type: ['"rack" is not a valid choice.'],
    });
  });

  it('names every bad field of an event', async () => {
    const body = await refused(
      'POST',
      PATHS.events,
      eventBody({ message: '', event_source: 77, object_type: 'device', object_id: 99 }),
    );

    expect(body).toEqual({
      message: BLANK,
      event_source: missing(77),
      object_id: ['No device with id 99.'],
    });
  });

  it('names every bad field of a PATCH and a PUT, leaving the object as it was', async () => {
    await create(h, technicalServices, { name: 'db' });
    const api = await create(h, technicalServices, { name: 'api' });
    const url = `${technicalServices}${api.id}/`;

    const patch = await refused(
      'PATCH',
      url,
      { name: 'db', clusters: [5], tags: [''] },
      technicalServices,
    );
    const put = await refused('PUT', url, { name: 'db', service_type: 'x' }, technicalServices);

    expect(patch).toEqual({
      tags: BLANK,
      name: ['technical service with this name already exists.'],
      clusters: missing(5),
    });
    expect(put).toEqual({
      service_type: ['"x" is not a valid choice.'],
      name: ['technical service with this name already exists.'],
    });
    expect(await read(h, technicalServices, api.id)).toEqual(api);
  });

  it('names a dependency that exists already beside a bad field', async () => {
    const db = await create(h, technicalServices, { name: 'db' });
    const api = await create(h, technicalServices, { name: 'api' });
    const pair = { upstream_service: db.id, downstream_service: api.id };
    await create(h, serviceDependencies, { name: 'api on db', ...pair });

    expect(await refused('POST', serviceDependencies, { name: ' ', ...pair })).toEqual({
      name: BLANK,
      non_field_errors: ['The fields upstream_service, downstream_service must make a unique set.'],
    });
    const unknown = { name: '', upstream_service: 404, downstream_service: api.id };
    expect(await refused('POST', serviceDependencies, unknown)).toEqual({
      name: BLANK,
      upstream_service: missing(404),
    });
  });

  it('names every bad field of each item of a bulk create, storing nothing', async () => {
    await create(h, businessApplications, { appcode: 'SHOP', name: 'Shop', owner: 'o' });

    const body = await refused('POST', businessApplications, [
      { appcode: 'PAY', name: '', owner: 'o' },
      { appcode: 'SHOP', name: 'Shop 2', owner: 'o', devices: [99] },
      { appcode: 'CRM', name: 'CRM', owner: 'o' },
      { appcode: 'PAY', owner: 'o' },
      7,
    ]);

    expect(body).toEqual([
      { name: BLANK },
      { appcode: APPCODE_TAKEN, devices: missing(99) },
      {},
      { name: REQUIRED, appcode: ['business application with this appcode already exists.'] },
      { non_field_errors: ['Invalid data. Expected a dictionary, but got int.'] },
    ]);
  });
});
