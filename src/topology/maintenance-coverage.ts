import { servicesHostedBy } from './hosted-services.js';
import type { MaintenanceWindow, TopologyIndex } from './topology-index.js';

/** What the active maintenance windows cover at one moment, and how long that stays so. */
export interface MaintenanceCoverage {
  /** Services inside an active window (through themselves or their infrastructure). */
  readonly services: ReadonlyMap<number, MaintenanceWindow>;
  /** Business applications inside an active window of their own. */
  readonly apps: ReadonlyMap<number, MaintenanceWindow>;
  /** The latest window start or end at or before the moment (ms), or -Infinity. */
  readonly validFrom: number;
  /** The earliest window start or end after the moment (ms), or Infinity. */
  readonly validUntil: number;
}

/**
 * Active as event-scope's activeMaintenance decides: the topology holds only windows whose
 * status is planned or started, and a window is active from planned_start to planned_end, both
 * included.
 */
const isActive = (window: MaintenanceWindow, time: number) =>
  window.start <= time && time <= window.end;

/** Keeps the lowest window id per key, for a stable answer. */
function keep(map: Map<number, MaintenanceWindow>, key: number, window: MaintenanceWindow): void {
  const found = map.get(key);
  if (found === undefined || window.id < found.id) map.set(key, window);
}

/**
 * What the maintenance windows cover at `time`. Windows change what they cover only at their
 * start and just after their end, so the answer holds from `validFrom` until `validUntil`.
 */
export function maintenanceCoverage(topology: TopologyIndex, time: number): MaintenanceCoverage {
  const services = new Map<number, MaintenanceWindow>();
  const apps = new Map<number, MaintenanceWindow>();
  let validFrom = -Infinity;
  let validUntil = Infinity;
  for (const windows of topology.maintenanceByTarget.values()) {
    for (const window of windows) {
      // Active from start; inactive from the millisecond after the end.
      for (const boundary of [window.start, window.end + 1]) {
        if (boundary <= time) validFrom = Math.max(validFrom, boundary);
        else validUntil = Math.min(validUntil, boundary);
      }
      if (!isActive(window, time)) continue;
      if (window.targetType === 'business_application') keep(apps, window.targetId, window);
      // A window covers the services of the object and of what runs on it, matching the
      // objects whose maintenance covers an event (see event-scope).
      const host = { type: window.targetType, id: window.targetId };
      for (const service of servicesHostedBy(topology, host)) keep(services, service, window);
    }
  }
  return { services, apps, validFrom, validUntil };
}
