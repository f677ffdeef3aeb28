import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { expect } from 'vitest';

import { PATHS, list, read } from '../automation/automation-fixtures.js';
import { PLUGIN, type Answer, type CallOptions, type Harness } from '../support/harness.js';

/** The recorded Alertmanager webhook bodies, read where they are kept (never copied). */
export const ALERTMANAGER_FIXTURES = fileURLToPath(
  new URL('../../../shared/fixtures/alertmanager/', import.meta.url),
);

/** The text of a recorded Alertmanager body, byte for byte. */
export function fixtureText(name: string): string {
  return readFileSync(`${ALERTMANAGER_FIXTURES}${name}`, 'utf8');
}

export function fixture(name: string): any {
  return JSON.parse(fixtureText(name));
}

/** The path alerts of `source` are posted to. */
export function alertPath(source: string): string {
  return `${PLUGIN}/alerts/${source}/`;
}

/** Posts `body` to the alert endpoint of `source`. */
export function postAlert(
  h: Harness,
  source: string,
  body: unknown,
  options: CallOptions = {},
): Promise<Answer> {
  return h.call('POST', alertPath(source), { body, ...options });
}

/** Every stored event, oldest first. */
export async function events(h: Harness): Promise<any[]> {
  return (await list(h, PATHS.events)).sort((a, b) => a.id - b.id);
}

/** The stored event `id`. */
export function event(h: Harness, id: number): Promise<any> {
  return read(h, PATHS.events, id);
}

/** The stored incident `id`. */
export function incident(h: Harness, id: number): Promise<any> {
  return read(h, PATHS.incidents, id);
}

/** How many events are stored. */
export async function eventCount(h: Harness): Promise<number> {
  return (await events(h)).length;
}

/** Fails the test unless `answer` has `status`, showing the body when it does not. */
export function expectStatus(answer: Answer, status: number): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
}

/** One webhook request as Alertmanager sent it. */
export interface RecordedRequest {
  readonly n: number;
  readonly headers: Record<string, string>;
  /** The body, byte for byte. */
  readonly body: string;
}

/** The five recorded webhook requests, in the order Alertmanager sent them. */
export function recordedRequests(): RecordedRequest[] {
  return fixtureText('raw-webhook-requests.jsonl')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedRequest);
}

/** The headers of a recorded request that still mean something when replayed. */
export function replayHeaders(request: RecordedRequest): Record<string, string> {
  return {
    'content-type': request.headers['content-type']!,
    'user-agent': request.headers['user-agent']!,
  };
}
