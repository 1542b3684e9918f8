/** The tables of contexts (migration 0003), as Kysely sees them. */
export interface ContextsTables {
  contexts: ContextsTable;
  context_env_vars: ContextEnvVarsTable;
}

export interface ContextsTable {
  id: string;
  /** Unique, case-sensitive: the name a workflow's `context:` refers to. */
  name: string;
  created_at_ms: number;
  /** The username of the admin who created it; null when the server did. */
  created_by: string | null;
}

export interface ContextEnvVarsTable {
  context_id: string;
  name: string;
  /** SecretBox output; bound to `context/<context id>/<name>`. */
  ciphertext: string;
  created_at_ms: number;
  updated_at_ms: number;
}
