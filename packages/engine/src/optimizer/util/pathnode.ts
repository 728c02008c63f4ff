/*
 * pathnode.ts — keeping a relation's useful paths (PostgreSQL's
 * optimizer/util/pathnode.c): add_path drops a path another one beats on
 * every count (startup cost, total cost, sort order, parameterization) and
 * set_cheapest picks the cheapest-startup and cheapest-total unparameterized
 * paths.
 *
 * Exports: addPath, setCheapest, compareFractionalCost, cheapestPathForPathkeys,
 * createSortPath, createMaterialPath.
 */

import type { Path, PathKey, PlannerInfo, RelOptInfo } from '../pathnodes.ts';
import { relidsIsSubset } from '../pathnodes.ts';
import { costMaterial, costSort } from '../path/costsize.ts';
import { pathkeysContainedIn } from '../path/pathkeys.ts';

/** Costs within 1% are treated as equal, as PostgreSQL's STD_FUZZ_FACTOR does. */
const FUZZ = 1.01;

type Better = 'BETTER1' | 'BETTER2' | 'EQUAL' | 'DIFFERENT';

function compareCosts(a: Path, b: Path): Better {
  if (a.total_cost > b.total_cost * FUZZ) {
    return b.startup_cost > a.startup_cost * FUZZ ? 'DIFFERENT' : 'BETTER2';
  }
  if (b.total_cost > a.total_cost * FUZZ) {
    return a.startup_cost > b.startup_cost * FUZZ ? 'DIFFERENT' : 'BETTER1';
  }
  if (a.startup_cost > b.startup_cost * FUZZ) return 'BETTER2';
  if (b.startup_cost > a.startup_cost * FUZZ) return 'BETTER1';
  return 'EQUAL';
}

function keysCompare(root: PlannerInfo, a: PathKey[], b: PathKey[]): Better {
  const ab = pathkeysContainedIn(root, a, b);
  const ba = pathkeysContainedIn(root, b, a);
  if (ab && ba) return 'EQUAL';
  if (ab) return 'BETTER2';
  if (ba) return 'BETTER1';
  return 'DIFFERENT';
}

/** Adds `np` to the relation's path list unless an existing path dominates it; removes the paths it dominates (add_path). */
export function addPath(root: PlannerInfo, rel: RelOptInfo, np: Path): void {
  let accept = true;
  const keep: Path[] = [];
  for (const old of rel.pathlist) {
    let remove = false;
    const cost = compareCosts(np, old);
    if (cost !== 'DIFFERENT') {
      const keys = keysCompare(root, np.pathkeys, old.pathkeys);
      if (keys !== 'DIFFERENT') {
        const outerNewSub = relidsIsSubset(np.required_outer, old.required_outer);
        const outerOldSub = relidsIsSubset(old.required_outer, np.required_outer);
        if (cost === 'EQUAL') {
          if (keys === 'BETTER2' && outerOldSub) accept = false;
          else if (keys === 'BETTER1' && outerNewSub) remove = true;
          else if (keys === 'EQUAL') {
            if (outerNewSub && !outerOldSub) remove = true;
            else if (outerOldSub && !outerNewSub) accept = false;
            else if (np.rows < old.rows) remove = true;
            else if (np.rows > old.rows) accept = false;
            else if (np.total_cost < old.total_cost * 0.9999999999) remove = true;
            else accept = false;
          }
        } else if (cost === 'BETTER1') {
          if ((keys === 'EQUAL' || keys === 'BETTER1') && outerNewSub && np.rows <= old.rows) remove = true;
        } else if (cost === 'BETTER2') {
          if ((keys === 'EQUAL' || keys === 'BETTER2') && outerOldSub && np.rows >= old.rows) accept = false;
        }
      }
    }
    if (!remove) keep.push(old);
    if (!accept) break;
  }
  if (accept) {
    rel.pathlist = keep;
    rel.pathlist.push(np);
  }
}

/** The cheapest unparameterized paths by startup and by total cost (set_cheapest). */
export function setCheapest(rel: RelOptInfo): void {
  let st: Path | null = null;
  let tt: Path | null = null;
  for (const p of rel.pathlist) {
    if (p.required_outer !== 0n) continue;
    if (st === null || p.startup_cost < st.startup_cost || (p.startup_cost === st.startup_cost && p.total_cost < st.total_cost)) st = p;
    if (tt === null || p.total_cost < tt.total_cost || (p.total_cost === tt.total_cost && p.startup_cost < tt.startup_cost)) tt = p;
  }
  rel.cheapest_startup_path = st;
  rel.cheapest_total_path = tt;
}

/** Cost of fetching `fraction` of a path's rows (compare_fractional_path_costs). */
export function fractionalCost(p: { startup_cost: number; total_cost: number }, fraction: number): number {
  if (fraction <= 0 || fraction >= 1) return p.total_cost;
  return p.startup_cost + fraction * (p.total_cost - p.startup_cost);
}

export function createSortPath(root: PlannerInfo, rel: RelOptInfo, sub: Path, pathkeys: PathKey[], limitTuples: number): Path {
  const c = costSort(root, sub.total_cost, sub.rows, rel.width, limitTuples);
  return { pathtype: 'Sort', parent: rel, rows: sub.rows, startup_cost: c.startup_cost, total_cost: c.total_cost, pathkeys, required_outer: sub.required_outer, subpath: sub };
}

export function createMaterialPath(root: PlannerInfo, rel: RelOptInfo, sub: Path): Path {
  const c = costMaterial(root, sub.startup_cost, sub.total_cost, sub.rows, rel.width);
  return { pathtype: 'Material', parent: rel, rows: sub.rows, startup_cost: c.startup_cost, total_cost: c.total_cost, pathkeys: sub.pathkeys, required_outer: sub.required_outer, subpath: sub };
}
