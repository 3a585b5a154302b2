/**
 * Typed errors of the storage folder (evidence, latest frames, the embedded record). A storage fault
 * is the deployment's, not a camera's: it fails the visit with one of these codes and never
 * counts against the camera's health.
 */

/** Stable codes of storage faults. */
export type StorageErrorCode = 'STORAGE_NOT_WRITABLE' | 'STORAGE_FULL' | 'STORAGE_LOW_SPACE' | 'STORAGE_WRITE_FAILED';

/** A write to the storage folder failed, or was refused before it was tried. */
export class StorageError extends Error {
  /** HTTP status where an API reports it (the service cannot do its job). */
  readonly statusCode = 503;
  constructor(
    readonly code: StorageErrorCode,
    /** The folder or file concerned. */
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** The errno code of a Node.js fs error, if any. */
function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns an fs error from a write under `path` into a StorageError (kept as `cause`): read-only
 * file system, permission or a missing folder -> STORAGE_NOT_WRITABLE; no space or quota ->
 * STORAGE_FULL; anything else -> STORAGE_WRITE_FAILED. A StorageError is returned as it is.
 */
export function storageErrorOf(err: unknown, path: string): StorageError {
  if (err instanceof StorageError) return err;
  const errno = errnoOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  switch (errno) {
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
    case 'ENOENT':
    case 'ENOTDIR':
      return new StorageError('STORAGE_NOT_WRITABLE', path, `storage folder ${path} is not writable (${errno}): ${detail}`, { cause: err });
    case 'ENOSPC':
    case 'EDQUOT':
      return new StorageError('STORAGE_FULL', path, `storage folder ${path} is full (${errno}): ${detail}`, { cause: err });
    default:
      return new StorageError('STORAGE_WRITE_FAILED', path, `cannot write to storage folder ${path}: ${detail}`, { cause: err });
  }
}
