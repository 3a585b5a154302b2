/** Base of identity errors: a stable code and the HTTP status an API answers with. */
export abstract class IdentityError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
}

/** A field of a user or token request is invalid (HTTP 400). */
export class IdentityInputError extends IdentityError {
  readonly code = 'IDENTITY_INPUT';
  readonly status = 400;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'IdentityInputError';
  }
}

/** Wrong username or password, unknown/expired/revoked session or token (HTTP 401). Never says which. */
export class AuthenticationError extends IdentityError {
  readonly code = 'UNAUTHENTICATED';
  readonly status = 401;
  constructor(message = 'authentication required: log in (POST /api/login) or send Authorization: Bearer <token>') {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** Too many failed logins for this account: locked until `retryAfterS` seconds from now (HTTP 429). */
export class AccountLockedError extends IdentityError {
  readonly code = 'ACCOUNT_LOCKED';
  readonly status = 429;
  constructor(readonly retryAfterS: number) {
    super(`too many failed logins for this account: locked, try again in ${Math.ceil(retryAfterS / 60)} min`);
    this.name = 'AccountLockedError';
  }
}

/** A user or token that does not exist (HTTP 404). */
export class IdentityNotFoundError extends IdentityError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'IdentityNotFoundError';
  }
}

/** A user that already exists (HTTP 409). */
export class IdentityConflictError extends IdentityError {
  readonly code = 'CONFLICT';
  readonly status = 409;
  constructor(message: string) {
    super(message);
    this.name = 'IdentityConflictError';
  }
}
