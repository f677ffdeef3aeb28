import { SEVERITIES } from '../config/settings.js';
import { chooseIncident, type Choice } from '../correlate/decide.js';
import type { EventFacts } from '../correlate/correlation-types.js';
import { FaultlineRule } from '../correlate/faultline-rule.js';
import { failingSites } from '../correlate/infrastructure-relation.js';
import { explainedTogether, withinMergeWindow } from '../correlate/merge-rule.js';
import { PluginRule } from '../correlate/scoring.js';
import { mergeIncidents } from '../incidents/incident-merge.js';
import { OPEN_INCIDENT_STATUSES } from '../incidents/incident-spec.js';
import { RECORDED_CANDIDATES } from '../correlate/weights.js';
import type { IncidentState } from '../incidents/incident-index.js';
import type { DecidedEvent } from '../incidents/incident-store.js';
import type { Db } from '../store/database.js';
import { logDecision, logSkipped } from './decision-log.js';
import type { CorrelationRecord } from './event-input.js';
import type { DecisionContext, EventProcessorDeps } from './event-processor.js';

export interface CorrelateOptions {
  /** Decide even while automatic processing is switched off (manual processing). */
  readonly force?: boolean;
  /** Only automatically created incidents are candidates (a regrouping). */
  readonly automaticOnly?: boolean;
}

/** Turns a stored event into an incident decision and applies it. */
export class Correlator {
  constructor(private readonly deps: EventProcessorDeps) {}

  /** The record of an event the automation leaves out of incidents, logged with its reason. */
  skipped(eventId: number, reason: string, now: string): CorrelationRecord {
    const record: CorrelationRecord = {
      action: 'skipped',
      reason,
      incident_id: null,
      score: null,
      components: null,
      relation: null,
      threshold: this.deps.settings.correlationThreshold,
      candidates: [],
      decided_at: now,
    };
    logSkipped(this.deps.logger, eventId, record);
    return record;
  }

  private gate(c: DecisionContext, options: CorrelateOptions): string | null {
    const settings = this.deps.settings;
    if (!settings.enabled && options.force !== true) return 'automation disabled';
    if (c.target.ref === null) return `unknown target: ${c.target.reason}`;
    const rank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
    if (rank(c.input.criticality) < rank(settings.requireMinimumSeverity)) {
      return `below minimum severity ${settings.requireMinimumSeverity}`;
    }
    return null;
  }

  async correlate(
    tx: Db,
    c: DecisionContext,
    options: CorrelateOptions = {},
  ): Promise<CorrelationRecord> {
    const reason = this.gate(c, options);
    if (reason !== null) return this.skipped(c.eventId, reason, c.now);

    const { settings } = this.deps;
    const scope = c.scope!;
    const facts: EventFacts = {
      services: scope.services,
      context: scope.context,
      group: scope.group,
      devices: scope.devices,
      vms: scope.vms,
      criticality: c.input.criticality,
      time: Date.parse(c.time),
    };
    const { choice, candidates, rule } = this.choose(facts, options.automaticOnly === true);
    const decided: DecidedEvent = {
      id: c.eventId,
      message: c.input.message,
      criticality: c.input.criticality,
      time: c.time,
      scope,
      fresh: c.stored === null,
    };

    const state = await this.apply(tx, choice, decided);
    const merged =
      rule === null ? [] : await this.consolidate(tx, state, decided, candidates, rule);
    const action = choice.chosen === null ? 'created' : choice.reopens ? 'reopened' : 'joined';
    // A new incident records its best candidate, below the threshold: how near it came.
    const best = choice.chosen ?? choice.ranked[0] ?? null;
    const record: CorrelationRecord = {
      action,
      reason: null,
      incident_id: state.id,
      score: best?.score ?? null,
      components: best?.components ?? null,
      relation: best?.relation ?? null,
      threshold: settings.correlationThreshold,
      candidates: choice.ranked
        .slice(0, RECORDED_CANDIDATES)
        .map((r) => ({ incident_id: r.incident_id, score: r.score })),
      ...(merged.length > 0 ? { merged_incidents: merged } : {}),
      decided_at: c.now,
    };
    logDecision(this.deps.logger, c.eventId, record, state);
    return record;
  }

  /**
   * After a decision, the Faultline rule looks again at what the incident now explains: a failing
   * host or cluster, or its plausible cause. Open incidents on or below it, and the event's other
   * candidates, merge into it when one cause explains both.
   */
  private async consolidate(
    tx: Db,
    state: IncidentState,
    decided: DecidedEvent,
    candidates: readonly IncidentState[],
    rule: FaultlineRule,
  ): Promise<number[]> {
    const hosted = await this.explainFailingSites(tx, state, decided, rule);
    const cause = rule.plausibleCause(state);
    const below = this.deps.indexes.incidents.onOrBelow([...hosted, ...cause]);
    const related = [...new Set([...candidates, ...below])];
    return this.mergeRelated(tx, state, related, rule, Date.parse(decided.time), decided.id);
  }

  /** Scores the candidates of the configured rule. */
  private choose(facts: EventFacts, automaticOnly: boolean) {
    const { indexes, settings } = this.deps;
    const topology = indexes.topology;
    const options = {
      windowMinutes: settings.correlationWindowMinutes,
      threshold: settings.correlationThreshold,
    };
    const eligible = (found: IncidentState[]) =>
      automaticOnly ? found.filter((incident) => incident.autoCreated) : found;
    if (settings.correlationMode === 'plugin') {
      const candidates = eligible(indexes.incidents.candidates(facts));
      const choice = chooseIncident(facts, candidates, new PluginRule(topology), options);
      return { choice, candidates, rule: null };
    }
    const rule = new FaultlineRule(topology, indexes.incidents.alerting);
    const candidates = eligible(
      indexes.incidents.candidates(facts, (u) => rule.considers(facts, u)),
    );
    return { choice: chooseIncident(facts, candidates, rule, options), candidates, rule };
  }

  /**
   * When the event's VMs show their host or cluster failing (half its VMs alert), the incident
   * takes the place's services as a group it explains. Returns those services.
   */
  private async explainFailingSites(
    tx: Db,
    state: IncidentState,
    decided: DecidedEvent,
    rule: FaultlineRule | null,
  ): Promise<number[]> {
    if (rule === null || decided.scope.vms.length === 0) return [];
    const { indexes, incidents } = this.deps;
    const topology = indexes.topology;
    const sites = failingSites(topology, indexes.incidents.alerting, decided.scope.vms);
    if (sites.length === 0) return [];
    const groups = sites.map((site) => new Set(topology.hostedServices(site)));
    await incidents.addGroups(tx, state, groups);
    await incidents.refreshRootCauses(tx, state, decided.message);
    indexes.incidents.put(state);
    return groups.flatMap((g) => [...g]);
  }

  /** Merges into `state` the other open candidates that the new evidence explains with it. */
  private async mergeRelated(
    tx: Db,
    state: IncidentState,
    candidates: readonly IncidentState[],
    rule: FaultlineRule,
    time: number,
    eventId: number,
  ): Promise<number[]> {
    const { indexes, incidents, settings } = this.deps;
    const merged: number[] = [];
    // An incident a person split off stays apart: the automation never merges it, either way.
    if (!state.autoCreated) return merged;
    for (const other of candidates) {
      if (other.id === state.id || !other.autoCreated) continue;
      if (!OPEN_INCIDENT_STATUSES.includes(other.status as 'new')) continue;
      const window = settings.correlationWindowMinutes;
      if (!withinMergeWindow(other, time, window)) continue;
      // In a storm the same pairs come up event after event, unchanged: judged once.
      if (indexes.incidents.judgedApart(state, other)) continue;
      if (!explainedTogether(rule, indexes.topology, state, other, time, window)) {
        indexes.incidents.noteApart(state, other);
        continue;
      }
      await mergeIncidents(tx, incidents, state, other, eventId);
      indexes.incidents.drop(other.id);
      indexes.incidents.put(state);
      merged.push(other.id);
    }
    if (merged.length > 0) indexes.markIncidentsChanged();
    return merged;
  }

  /** Opens an incident, or joins (reopening first) the chosen one; keeps the index in step. */
  private async apply(tx: Db, choice: Choice, decided: DecidedEvent): Promise<IncidentState> {
    const { indexes, incidents } = this.deps;
    let state: IncidentState;
    if (choice.chosen === null) {
      state = await incidents.open(tx, decided);
    } else {
      state = indexes.incidents.get(choice.chosen.incident_id)!;
      if (choice.reopens) await incidents.reopen(tx, state, decided.id);
      await incidents.join(tx, state, decided);
    }
    indexes.incidents.put(state);
    indexes.markIncidentsChanged();
    return state;
  }

  /** With auto-resolve on: each open incident holding the event whose events are all ok. */
  async autoResolve(tx: Db, eventId: number, time: string): Promise<void> {
    if (!this.deps.settings.autoResolve) return;
    const { indexes, incidents } = this.deps;
    for (const id of await incidents.resolvableIncidents(tx, eventId)) {
      const state = indexes.incidents.get(id);
      if (state === undefined) continue;
      await incidents.autoResolve(tx, state, time, eventId);
      indexes.incidents.put(state);
      indexes.markIncidentsChanged();
      this.deps.logger.info({ incident_id: id, event_id: eventId }, 'incident auto-resolved');
    }
  }
}
