import type { ColumnType, Generated } from 'kysely';

/** A JSON column: JSON text on the way in, a parsed value (checked with zod) on the way out. */
type Json = ColumnType<unknown, string, string>;

/**
 * The identity tables of the record (migration 0002-identity) as Kysely sees them; the store
 * adds them to the record's Database type with `db.withTables<IdentityTables>()`.
 */
export type IdentityTables = {
  users: {
    username: string;
    display_name: string;
    role: string;
    grids: Json;
    password_hash: string;
    disabled: boolean;
    created_at: number;
    updated_at: number;
  };
  service_tokens: {
    id: string;
    name: string;
    role: string;
    grids: Json;
    secret_digest: string;
    created_at: number;
    created_by: string;
    expires_at: number | null;
    revoked_at: number | null;
    revoked_by: string | null;
  };
  system_audit: {
    id: Generated<number>;
    at: number;
    actor: string;
    role: string | null;
    ip: string | null;
    action: string;
    target: string | null;
    detail: Json | null;
  };
};
