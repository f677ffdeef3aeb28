import { LOCK_KEYS } from '../store/database.js';
import { BY_NAME, uniqueName } from '../store/named-resources.js';
import type { FieldSpec, ResourceSpec, Row } from '../store/resource-spec.js';
import { dependencyRuleErrors } from './dependency-rules.js';
import { keepMaskedRoutingKey, routingKeyErrors, routingKeyField } from './routing-keys.js';

export const SERVICE_TYPES = ['technical', 'logical'] as const;
export const DEPENDENCY_TYPES = ['normal', 'redundancy'] as const;

const description: FieldSpec = {
  name: 'description',
  type: { kind: 'text' },
  default: '',
  search: true,
};

function links(name: string, to: string, table: string, own: string, other: string): FieldSpec {
  return {
    name,
    type: { kind: 'refs', to, link: { table, ownColumn: own, otherColumn: other } },
    default: [],
    filter: true,
  };
}

export const businessApplicationSpec: ResourceSpec = {
  name: 'business-applications',
  counter: 'topology_version',
  table: 'business_applications',
  singular: 'business application',
  targetType: 'business_application',
  fields: [
    {
      name: 'appcode',
      type: { kind: 'string', maxLength: 20 },
      required: true,
      unique: true,
      filter: true,
      search: true,
      sortable: true,
    },
    {
      name: 'name',
      type: { kind: 'string', maxLength: 240 },
      required: true,
      filter: true,
      search: true,
      sortable: true,
    },
    description,
    { name: 'owner', type: { kind: 'string', maxLength: 100 }, required: true, filter: true },
    { name: 'delegate', type: { kind: 'string', maxLength: 100 }, nullable: true, default: null },
    {
      name: 'servicenow',
      type: { kind: 'string', maxLength: 200, format: 'url' },
      nullable: true,
      default: null,
    },
    {
      ...links(
        'devices',
        'devices',
        'business_application_devices',
        'business_application_id',
        'device_id',
      ),
      filterAs: 'device',
    },
    {
      ...links(
        'virtual_machines',
        'virtual-machines',
        'business_application_virtual_machines',
        'business_application_id',
        'virtual_machine_id',
      ),
      filterAs: 'virtual_machine',
    },
    routingKeyField,
  ],
  derive: keepMaskedRoutingKey,
  validate: routingKeyErrors,
  ordering: ['appcode'],
  brief: ['appcode', 'name'],
  nameColumn: 'appcode',
  display: (row: Row) => String(row.appcode),
};

const serviceLink = (name: string, to: string, table: string, other: string, as: string) => ({
  ...links(name, to, table, 'technical_service_id', other),
  filterAs: as,
});

export const technicalServiceSpec: ResourceSpec = {
  name: 'technical-services',
  counter: 'topology_version',
  table: 'technical_services',
  singular: 'technical service',
  targetType: 'technical_service',
  fields: [
    uniqueName(240),
    {
      name: 'service_type',
      type: { kind: 'enum', values: SERVICE_TYPES },
      default: 'technical',
      filter: true,
    },
    serviceLink(
      'business_apps',
      'business-applications',
      'technical_service_business_applications',
      'business_application_id',
      'business_app',
    ),
    serviceLink('devices', 'devices', 'technical_service_devices', 'device_id', 'device'),
    serviceLink(
      'vms',
      'virtual-machines',
      'technical_service_virtual_machines',
      'virtual_machine_id',
      'vm',
    ),
    serviceLink('clusters', 'clusters', 'technical_service_clusters', 'cluster_id', 'cluster'),
    routingKeyField,
  ],
  derive: keepMaskedRoutingKey,
  validate: routingKeyErrors,
  ...BY_NAME,
};

const serviceRef = (name: string, description: string): FieldSpec => ({
  name,
  column: `${name}_id`,
  type: { kind: 'ref', to: 'technical-services' },
  required: true,
  filter: true,
  description,
});

export const serviceDependencySpec: ResourceSpec = {
  name: 'service-dependencies',
  counter: 'topology_version',
  locks: [LOCK_KEYS.topology],
  table: 'service_dependencies',
  singular: 'service dependency',
  fields: [
    {
      name: 'name',
      type: { kind: 'string', maxLength: 240 },
      required: true,
      filter: true,
      search: true,
      sortable: true,
      description: 'Also the key of a redundancy group: redundant dependencies share a name.',
    },
    description,
    serviceRef('upstream_service', 'The service depended upon.'),
    serviceRef('downstream_service', 'The service that depends on the upstream one.'),
    {
      name: 'dependency_type',
      type: { kind: 'enum', values: DEPENDENCY_TYPES },
      default: 'normal',
      filter: true,
    },
  ],
  uniqueTogether: [['upstream_service', 'downstream_service']],
  ordering: ['name'],
  brief: ['name'],
  nameColumn: 'name',
  display: (row: Row) => String(row.name),
  validate: dependencyRuleErrors,
};
