/*
 * namespace.ts — search_path (PostgreSQL's catalog/namespace.c).
 *
 * Exports:
 *   parseSearchPath(setting)       the list of schema names of a search_path value
 *   resolveSearchPath(names, user, nspOid)   {path, creation}: the schemas lookups
 *                                  walk, pg_catalog first unless listed, and the
 *                                  creation namespace (0 when none)
 *
 * Rules (PostgreSQL's recomputeNamespacePath):
 *   1. Unquoted names are folded to lower case; "quoted" ones are kept.
 *   2. "$user" is the session user's name, used only if such a schema exists.
 *   3. Schemas that do not exist are skipped silently, as are duplicates.
 *   4. pg_catalog is searched first unless the path names it explicitly.
 *   5. The creation namespace is the first schema of the path that exists
 *      (not the implicit pg_catalog); none gives 3F000 at CREATE time.
 */

/** SplitIdentifierString for search_path: comma-separated identifiers, optionally double-quoted. */
export function parseSearchPath(setting: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = setting.length;
  const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
  while (i < n) {
    while (i < n && isSpace(setting[i])) i++;
    if (i >= n) break;
    let name = '';
    if (setting[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) return out;
        if (setting[i] === '"') {
          if (setting[i + 1] === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += setting[i++];
      }
    } else {
      const start = i;
      while (i < n && setting[i] !== ',' && !isSpace(setting[i])) i++;
      name = setting.slice(start, i).toLowerCase();
    }
    out.push(name);
    while (i < n && isSpace(setting[i])) i++;
    if (i < n && setting[i] === ',') i++;
  }
  return out;
}

export interface ResolvedSearchPath {
  /** The namespaces an unqualified name is looked up in, in order. */
  path: number[];
  /** Where an unqualified new object is created; 0 if no listed schema exists. */
  creation: number;
}

export function resolveSearchPath(names: readonly string[], userName: string, nspOid: (name: string) => number | null, pgCatalog: number): ResolvedSearchPath {
  const explicit: number[] = [];
  for (const raw of names) {
    const name = raw === '$user' ? userName : raw;
    const oid = nspOid(name);
    if (oid !== null && !explicit.includes(oid)) explicit.push(oid);
  }
  const path = explicit.includes(pgCatalog) ? explicit.slice() : [pgCatalog, ...explicit];
  return { path, creation: explicit.length > 0 ? explicit[0] : 0 };
}
