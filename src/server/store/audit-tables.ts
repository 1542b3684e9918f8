/** The table of the audit log (migration 0005), as Kysely sees it. */
export interface AuditTables {
  audit_events: AuditEventsTable;
}

export interface AuditEventsTable {
  /** A UUID, unique per event: consumers use it to drop duplicate deliveries. */
  id: string;
  /** Lowercase words separated by dots, the entity first: `context.env_var.store`. */
  action: string;
  occurred_at_ms: number;
  /** `user`, `runner`, `system` or `anonymous`. */
  actor_type: string;
  actor_id: string;
  actor_name: string | null;
  target_type: string;
  target_id: string;
  target_name: string | null;
  /** JSON `{id, type, name}` of the project that owns the target, or null (server-wide). */
  scope: string | null;
  /** JSON object, action-specific; never a secret value. */
  payload: string;
  /** JSON object of string keys and string values. */
  metadata: string;
  version: number;
  /** 0/1. */
  success: number;
  request_id: string | null;
  request_ip: string | null;
  client_trace_id: string | null;
}
