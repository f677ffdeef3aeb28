import type { FastifyRequest } from 'fastify';

import { buildConditions, buildOrdering, type ListParams } from '../store/list-filters.js';
import type { ResourceRegistry } from '../store/resource-registry.js';
import type { ListPage, ResourceStore } from '../store/resource-store.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** Which rows of a list a page holds. */
export interface PageWindow {
  readonly limit: number;
  readonly offset: number;
}

/** The page a list request asks for: `limit` (default 50, 0 for the most) and `offset`. */
export function pageWindow(params: ListParams): PageWindow {
  const requested = typeof params.limit === 'number' ? params.limit : DEFAULT_PAGE_SIZE;
  const limit = requested === 0 ? MAX_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
  const offset = typeof params.offset === 'number' ? params.offset : 0;
  return { limit, offset };
}

/** The rows of `store` in `window`, with NetBox's list filters and ordering from `params`. */
export function readListPage(
  store: ResourceStore,
  registry: ResourceRegistry,
  params: ListParams,
  window: PageWindow,
): Promise<ListPage> {
  return store.list({
    where: buildConditions(store.spec, params, registry),
    ordering: buildOrdering(store.spec, params.ordering),
    limit: window.limit,
    offset: window.offset,
  });
}

/** NetBox's `next` and `previous` links of a page of `count` rows; null where there is none. */
export function pageLinks(
  request: FastifyRequest,
  base: string,
  window: PageWindow,
  count: number,
): { next: string | null; previous: string | null } {
  const { limit, offset } = window;
  return {
    next: offset + limit < count ? pageUrl(request, base, offset + limit, limit) : null,
    previous: offset > 0 ? pageUrl(request, base, Math.max(0, offset - limit), limit) : null,
  };
}

/** The URL of another page of the list `request` asked for. */
function pageUrl(request: FastifyRequest, base: string, offset: number, limit: number): string {
  const url = new URL(request.url, base);
  url.searchParams.set('limit', String(limit));
  if (offset > 0) url.searchParams.set('offset', String(offset));
  else url.searchParams.delete('offset');
  return `${base}${url.pathname}${url.search}`;
}
