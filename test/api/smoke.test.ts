import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { engines } from '../support/databases.js';
import { PLUGIN, startHarness, type Harness } from '../support/harness.js';

describe.each(engines())('API smoke on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(async () => {
    await h.close();
  });

  it('creates and lists a technical service', async () => {
    const created = await h.call('POST', `${PLUGIN}/technical-services/`, { body: { name: 'db' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'db', service_type: 'technical' });
    const list = await h.call('GET', `${PLUGIN}/technical-services/`);
    expect(list.status).toBe(200);
    expect(list.body.count).toBe(1);
  });
});
