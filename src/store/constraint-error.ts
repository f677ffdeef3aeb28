/** Columns named by a unique-constraint violation from either engine, or null for other errors. */
export function uniqueViolationColumns(error: unknown): string[] | null {
  if (error === null || typeof error !== 'object') return null;
  const { code, message, detail } = error as { code?: string; message?: string; detail?: string };

  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: devices.name, devices.site"
    const list = message?.split(': ')[1] ?? '';
    return list.split(',').map((part) => part.trim().split('.').pop() ?? '');
  }
  if (code === '23505') {
    // 'Key (upstream_service_id, downstream_service_id)=(1, 2) already exists.'
    const match = /^Key \(([^)]+)\)=/.exec(detail ?? '');
    return match?.[1] === undefined ? [] : match[1].split(',').map((c) => c.trim());
  }
  return null;
}

/** True for a foreign-key violation from either engine. */
export function isForeignKeyViolation(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { code, message } = error as { code?: string; message?: string };
  // SQLite enforces ON DELETE RESTRICT like a trigger, so it reports a trigger failure.
  if (code === 'SQLITE_CONSTRAINT_TRIGGER') return message === 'FOREIGN KEY constraint failed';
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}
