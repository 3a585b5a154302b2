/** Base of the database errors: a stable code, the HTTP status where one applies, the cause kept. */
export class DatabaseError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** PostgreSQL does not answer (refused, timed out, DNS). Names host:port, never the password. */
export class DatabaseUnreachableError extends DatabaseError {
  constructor(readonly where: string, reason: string, options?: { cause?: unknown }) {
    super('DB_UNREACHABLE', `PostgreSQL at ${where} is unreachable: ${reason}`, 503, options);
  }
}

/** The database answered but refused us (authentication, missing database, permissions). */
export class DatabaseRefusedError extends DatabaseError {
  constructor(readonly where: string, reason: string, options?: { cause?: unknown }) {
    super('DB_REFUSED', `PostgreSQL at ${where} refused the connection: ${reason}`, 503, options);
  }
}

/** DATABASE_URL (or --database-url) cannot be used as it is. */
export class DatabaseConfigError extends DatabaseError {
  constructor(message: string) {
    super('DB_CONFIG', message, 500);
  }
}

/** A migration failed; names the migration. The database keeps every migration before it. */
export class MigrationError extends DatabaseError {
  constructor(readonly migration: string, options?: { cause?: unknown }) {
    const why = options?.cause instanceof Error ? options.cause.message : String(options?.cause ?? 'unknown');
    super('DB_MIGRATION', `migration ${migration} failed: ${why}`, 500, options);
  }
}
