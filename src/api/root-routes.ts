import type { FastifyInstance } from 'fastify';

import type { ResourceRegistry } from '../store/resource-registry.js';
import { requestBaseUrl } from './base-url.js';
import { PLUGIN_PREFIX, resourcePath } from './resource-paths.js';

/**
 * Endpoints under the plugin's root that are not resources of the registry but list objects
 * all the same, as the plugin's router lists them.
 */
const OTHER_PLUGIN_LISTS = [
  'notification-deliveries/',
  'devices/downstream-applications/',
  'clusters/downstream-applications/',
];

/** API roots that list their endpoints, as NetBox's browsable API does. */
export function registerRootRoutes(
  app: FastifyInstance,
  registry: ResourceRegistry,
  baseUrl: string | null,
  version: string,
): void {
  const index =
    (prefix: string, others: readonly string[] = []) =>
    async (request: Parameters<typeof requestBaseUrl>[0]) => {
      const base = requestBaseUrl(request, baseUrl);
      const entries = [
        ...registry.specs().map((spec) => resourcePath(spec.name)),
        ...others.map((path) => `${prefix}${path}`),
      ]
        .filter((path) => path.startsWith(prefix))
        .map((path) => [path.slice(prefix.length, -1), `${base}${path}`]);
      return Object.fromEntries(entries);
    };

  app.get('/api/', { schema: { tags: ['meta'] } }, async (request) => {
    const base = requestBaseUrl(request, baseUrl);
    return {
      dcim: `${base}/api/dcim/`,
      plugins: `${base}/api/plugins/`,
      status: `${base}/api/status/`,
      virtualization: `${base}/api/virtualization/`,
    };
  });
  app.get('/api/dcim/', { schema: { tags: ['meta'] } }, index('/api/dcim/'));
  app.get('/api/virtualization/', { schema: { tags: ['meta'] } }, index('/api/virtualization/'));
  app.get('/api/plugins/', { schema: { tags: ['meta'] } }, async (request) => ({
    'business-application': `${requestBaseUrl(request, baseUrl)}${PLUGIN_PREFIX}`,
  }));
  app.get(PLUGIN_PREFIX, { schema: { tags: ['meta'] } }, index(PLUGIN_PREFIX, OTHER_PLUGIN_LISTS));
  app.get('/api/status/', { schema: { tags: ['meta'] } }, async () => ({
    'faultline-version': version,
    plugins: { business_application: version },
  }));
}
