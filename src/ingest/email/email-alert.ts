import type { FieldErrors } from '../../app-error.js';
import type { AlertFormat } from '../alert-format.js';
import {
  checkDerivedDedupId,
  checkTimeField,
  shortenMessage,
  targetOf,
  timeOf,
  toSeverity,
} from '../alert-rules.js';
import { emailThreadKey, isResolvingSubject } from './email-thread.js';

/** The plugin's documented e-mail payload (a mail gateway's parse of one message). */
export const emailAlertSchema = {
  type: 'object',
  required: ['message_id', 'subject', 'body', 'sender'],
  properties: {
    message_id: { type: 'string', minLength: 1, maxLength: 255 },
    subject: { type: 'string', minLength: 1 },
    body: { type: 'string' },
    sender: { type: 'string', format: 'email' },
    timestamp: { type: 'string' },
    severity: { type: 'string' },
    target_type: { type: 'string', enum: ['device', 'vm', 'cluster', 'service'] },
    target_identifier: { type: 'string', maxLength: 255 },
    headers: { type: 'object' },
    attachments: { type: 'array', items: { type: 'object' } },
  },
} as const;

export interface EmailAlert {
  message_id: string;
  subject: string;
  body: string;
  sender: string;
  timestamp?: string;
  severity?: string;
  target_type?: 'device' | 'vm' | 'cluster' | 'service';
  target_identifier?: string;
  headers?: Record<string, unknown>;
  attachments?: Array<Record<string, unknown>>;
}

const DEDUP_PREFIX = 'email-';

function checkEmail(payload: Partial<EmailAlert>, errors: FieldErrors): void {
  if (typeof payload.message_id !== 'string') return;
  const key = emailThreadKey(payload.message_id, payload.headers);
  checkDerivedDedupId(DEDUP_PREFIX, key.value, errors, key.from);
}

/**
 * `alerts/email/`: one alert per thread. A subject starting with RESOLVED or OK clears the
 * alert of its thread (or of the dedup key it names in a header); any other e-mail triggers
 * it. A severity the plugin would not know reads as medium, as in the plugin.
 */
export const emailFormat: AlertFormat<EmailAlert> = {
  source: 'email',
  schema: emailAlertSchema,
  check: (payload, { clock }) => {
    const errors: FieldErrors = {};
    checkEmail(payload, errors);
    checkTimeField(payload.timestamp, clock, errors, 'timestamp');
    return errors;
  },
  toEvent: (mail, { clock }) => {
    const resolving = isResolvingSubject(mail.subject);
    const key = emailThreadKey(mail.message_id, mail.headers);
    return {
      source: { name: 'email' },
      dedupId: `${DEDUP_PREFIX}${key.value}`,
      message: shortenMessage(mail.body === '' ? mail.subject : `${mail.subject}\n${mail.body}`),
      status: resolving ? 'ok' : 'triggered',
      criticality: toSeverity(mail.severity ?? 'medium') ?? 'medium',
      target: targetOf(mail.target_type ?? 'service', mail.target_identifier),
      time: timeOf(mail.timestamp, clock),
      raw: mail,
    };
  },
};
