/** Validation messages per field, in NetBox's (Django REST framework's) shape. */
export type FieldErrors = Record<string, string[]>;

/**
 * Base of every error a caller can act on. `code` is stable and machine-readable; the API's
 * one error handler turns these into HTTP answers.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
}

/** One or more fields are wrong: HTTP 400 `{"field": ["message"]}`. */
export class ValidationError extends AppError {
  readonly code = 'validation_failed';
  readonly status = 400;

  constructor(readonly fields: FieldErrors | FieldErrors[]) {
    super('validation failed');
  }

  static field(name: string, message: string): ValidationError {
    return new ValidationError({ [name]: [message] });
  }
}

/** HTTP 404 `{"detail": "Not found."}`. */
export class NotFoundError extends AppError {
  readonly code = 'not_found';
  readonly status = 404;

  constructor(detail = 'Not found.') {
    super(detail);
  }
}

/** The request is valid but the current state forbids it: HTTP 409. */
export class ConflictError extends AppError {
  readonly code = 'conflict';
  readonly status = 409;
}

export class AuthenticationError extends AppError {
  readonly code = 'not_authenticated';
  readonly status = 401;
}

export class PermissionDeniedError extends AppError {
  readonly code = 'permission_denied';
  readonly status = 403;
}
