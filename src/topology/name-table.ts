/** Outcome of finding an object by the name an alert gives. */
export type NameMatch =
  | { readonly found: true; readonly id: number }
  | { readonly found: false; readonly reason: string };

const shortOf = (name: string): string => name.split('.')[0] ?? name;

/**
 * Case-insensitive name lookup. With `hostNames`, a fully qualified name also finds an object
 * named by its short form (`db-01.example.com` → `db-01`) and a short name finds an object named
 * by a fully qualified one (`db-01` → `db-01.example.com`).
 */
export class NameTable {
  private readonly exact = new Map<string, number[]>();
  private readonly byShort = new Map<string, number[]>();

  constructor(
    private readonly kind: string,
    private readonly hostNames: boolean,
  ) {}

  add(id: number, name: string): void {
    const lower = name.toLowerCase();
    this.exact.set(lower, [...(this.exact.get(lower) ?? []), id]);
    if (this.hostNames && lower.includes('.')) {
      const short = shortOf(lower);
      this.byShort.set(short, [...(this.byShort.get(short) ?? []), id]);
    }
  }

  find(identifier: string): NameMatch {
    const lower = identifier.trim().toLowerCase();
    let ids = this.exact.get(lower) ?? [];
    if (ids.length === 0 && this.hostNames) {
      ids = lower.includes('.')
        ? (this.exact.get(shortOf(lower)) ?? [])
        : (this.byShort.get(lower) ?? []);
    }
    if (ids.length === 1) return { found: true, id: ids[0]! };
    if (ids.length === 0) return { found: false, reason: `no ${this.kind} named ${identifier}` };
    return { found: false, reason: `${identifier} names ${ids.length} ${this.kind}s` };
  }
}
