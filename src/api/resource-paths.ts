/** Base path of the plugin's objects, as in NetBox. */
export const PLUGIN_PREFIX = '/api/plugins/business-application/';

/** Inventory lives at NetBox's own paths. */
const NETBOX_PATHS: Readonly<Record<string, string>> = {
  devices: '/api/dcim/devices/',
  'virtual-machines': '/api/virtualization/virtual-machines/',
  clusters: '/api/virtualization/clusters/',
};

/** The list path of a resource, with the trailing slash (`/api/dcim/devices/`). */
export function resourcePath(resource: string): string {
  return NETBOX_PATHS[resource] ?? `${PLUGIN_PREFIX}${resource}/`;
}
