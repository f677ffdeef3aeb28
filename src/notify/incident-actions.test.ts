import { describe, expect, it } from 'vitest';

import type { ChangeEntry } from '../incidents/incident-changes.js';
import type { TimelineKind } from '../incidents/timeline.js';
import { entryAction, noticeOf } from './incident-actions.js';

const entry = (kind: TimelineKind, detail: Record<string, unknown> = {}): ChangeEntry => ({
  kind,
  detail,
});
const status = (from: string, to: string) => entry('status_changed', { from, to });

describe('incident notification actions', () => {
  it.each([
    [entry('opened'), null],
    [entry('event_joined'), 'updated'],
    [entry('severity_raised'), 'updated'],
    [entry('services_added'), 'updated'],
    [entry('absorbed'), 'updated'],
    [entry('split'), 'updated'],
    [entry('regrouped'), 'updated'],
    [entry('title_changed'), 'updated'],
    [entry('auto_resolved'), 'resolved'],
    [entry('merged'), 'resolved'],
    [entry('reopened'), 'reopened'],
    [status('new', 'investigating'), 'updated'],
    [status('investigating', 'resolved'), 'resolved'],
    [status('new', 'monitoring'), 'resolved'],
    [status('monitoring', 'closed'), 'updated'],
    [status('monitoring', 'resolved'), 'updated'],
    [status('resolved', 'identified'), 'reopened'],
    [entry('cleanup', { from: 'monitoring', to: 'resolved' }), 'updated'],
    [entry('cleanup', { from: 'resolved', to: 'closed' }), 'updated'],
  ])('tells %j as %s', (change, action) => {
    expect(entryAction(change)).toBe(action);
  });

  it('coalesces every way one transaction changed an incident into one update', () => {
    const change = {
      incidentId: 4,
      created: false,
      entries: [entry('event_joined'), entry('services_added'), entry('severity_raised')],
    };

    expect(noticeOf(change, 'new')).toEqual({
      incidentId: 4,
      actions: ['updated'],
      acknowledged: false,
    });
  });

  it('tells an incident opened in the transaction as created, whatever else happened', () => {
    const change = {
      incidentId: 1,
      created: true,
      entries: [entry('opened'), entry('event_joined')],
    };

    expect(noticeOf(change, 'new').actions).toEqual(['created']);
    expect(noticeOf({ ...change, entries: [] }, 'new').actions).toEqual(['created']);
    expect(noticeOf(change, 'monitoring').actions).toEqual(['created', 'resolved']);
  });

  it('lets the last change of life win over updates', () => {
    const resolved = {
      incidentId: 2,
      created: false,
      entries: [entry('event_joined'), entry('auto_resolved')],
    };
    const back = {
      ...resolved,
      entries: [entry('auto_resolved'), entry('reopened'), entry('event_joined')],
    };

    expect(noticeOf(resolved, 'monitoring').actions).toEqual(['resolved']);
    expect(noticeOf(back, 'new').actions).toEqual(['reopened']);
  });

  it('marks a person taking the incident on as acknowledged', () => {
    const taken = { incidentId: 3, created: false, entries: [status('new', 'investigating')] };
    const further = { ...taken, entries: [status('investigating', 'identified')] };

    expect(noticeOf(taken, 'investigating')).toMatchObject({
      actions: ['updated'],
      acknowledged: true,
    });
    expect(noticeOf(further, 'identified').acknowledged).toBe(false);
  });

  it('tells nothing when nothing was recorded', () => {
    expect(noticeOf({ incidentId: 5, created: false, entries: [] }, 'new').actions).toEqual([]);
  });
});
