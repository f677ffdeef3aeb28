import { describe, expect, it } from 'vitest';

import { targetFromLabels, withoutPort } from './alertmanager-target.js';

describe('instance names', () => {
  it.each([
    ['db-1:9100', 'db-1'],
    ['db-1.example.com:443', 'db-1.example.com'],
    ['db-1', 'db-1'],
    ['10.0.0.5:9100', '10.0.0.5'],
    ['[2001:db8::1]:9100', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['db-1:metrics', 'db-1:metrics'],
  ])('reads %s as %s', (instance, name) => {
    expect(withoutPort(instance)).toBe(name);
  });
});

describe('target labels', () => {
  const order = [
    { label: 'host', kind: 'device' },
    { label: 'vm', kind: 'vm' },
    { label: 'service', kind: 'service' },
  ] as const;

  it('takes the first label present and not blank', () => {
    expect(targetFromLabels({ host: ' ', vm: 'app-1', service: 'api' }, order)).toEqual({
      type: 'virtual_machine',
      identifier: 'app-1',
    });
  });

  it('strips a port only from names of devices', () => {
    expect(targetFromLabels({ host: 'db-1:9100' }, order)).toEqual({
      type: 'device',
      identifier: 'db-1',
    });
    expect(targetFromLabels({ service: 'api:v2' }, order)).toEqual({
      type: 'technical_service',
      identifier: 'api:v2',
    });
  });

  it('names no target when no label of the order is there', () => {
    expect(targetFromLabels({ job: 'node' }, order)).toBeNull();
  });
});
