import { BY_NAME, uniqueName } from '../store/named-resources.js';
import type { FieldSpec, ResourceSpec } from '../store/resource-spec.js';

const netboxId: FieldSpec = {
  name: 'netbox_id',
  type: { kind: 'integer', minimum: 1 },
  nullable: true,
  unique: true,
  filter: true,
  description: 'Id of the object in NetBox, set by the NetBox sync.',
};

const name = uniqueName(64);

const optionalText = (fieldName: string, maxLength = 100): FieldSpec => ({
  name: fieldName,
  type: { kind: 'string', maxLength },
  nullable: true,
  default: null,
  filter: true,
  search: true,
});

/** NetBox's device statuses (DeviceStatusChoices). */
export const DEVICE_STATUSES = [
  'offline',
  'active',
  'planned',
  'staged',
  'failed',
  'inventory',
  'decommissioning',
] as const;

/** NetBox's virtual machine statuses (VirtualMachineStatusChoices). */
export const VIRTUAL_MACHINE_STATUSES = [
  'offline',
  'active',
  'planned',
  'staged',
  'failed',
  'decommissioning',
  'paused',
] as const;

const status = (values: readonly string[]): FieldSpec => ({
  name: 'status',
  type: { kind: 'enum', values },
  default: 'active',
  filter: true,
});

export const clusterSpec: ResourceSpec = {
  name: 'clusters',
  counter: 'topology_version',
  table: 'clusters',
  singular: 'cluster',
  targetType: 'cluster',
  fields: [name, optionalText('type'), optionalText('site'), netboxId],
  ...BY_NAME,
};

export const deviceSpec: ResourceSpec = {
  name: 'devices',
  counter: 'topology_version',
  table: 'devices',
  singular: 'device',
  targetType: 'device',
  fields: [
    name,
    status(DEVICE_STATUSES),
    optionalText('role'),
    optionalText('site'),
    {
      name: 'cluster',
      column: 'cluster_id',
      type: { kind: 'ref', to: 'clusters' },
      nullable: true,
      default: null,
      filter: true,
    },
    optionalText('primary_ip', 64),
    optionalText('platform'),
    netboxId,
  ],
  ...BY_NAME,
};

export const virtualMachineSpec: ResourceSpec = {
  name: 'virtual-machines',
  counter: 'topology_version',
  table: 'virtual_machines',
  singular: 'virtual machine',
  targetType: 'virtual_machine',
  fields: [
    name,
    status(VIRTUAL_MACHINE_STATUSES),
    {
      name: 'cluster',
      column: 'cluster_id',
      type: { kind: 'ref', to: 'clusters' },
      nullable: true,
      default: null,
      filter: true,
    },
    {
      name: 'device',
      column: 'device_id',
      type: { kind: 'ref', to: 'devices' },
      nullable: true,
      default: null,
      filter: true,
      description: 'The host the virtual machine runs on.',
    },
    optionalText('primary_ip', 64),
    netboxId,
  ],
  ...BY_NAME,
};
