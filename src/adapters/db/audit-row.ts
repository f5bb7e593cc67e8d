import { maskCedula } from '../../domain/cedula.ts';
import type { AuditEvent } from '../../services/recovery-ports.ts';

/** Hands out numbered placeholders, for statements assembled from parts. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const OUTCOME = 2;

export const AUDIT_INSERT = 'INSERT INTO audit_events (occurred_at, event, outcome, cedula_masked, cedula_ref, flow_id, ip, user_agent, detail)';

/**
 * The values of one audit_events row, as placeholders in AUDIT_INSERT's column order: the
 * one way a row is made. `outcomeSql`, an SQL expression, when the statement decides it.
 */
export function auditValues(params: Params, event: AuditEvent, cedulaRef: Buffer | null, outcomeSql?: string): string {
  const values = [
    event.at, event.event, event.outcome,
    event.cedula ? maskCedula(event.cedula) : null,
    cedulaRef,
    event.flowId ?? null, event.ip ?? null, event.userAgent?.slice(0, 300) ?? null,
    JSON.stringify(event.detail ?? {}),
  ];
  return values.map((value, i) => (i === OUTCOME && outcomeSql ? outcomeSql : params.add(value))).join(', ');
}
