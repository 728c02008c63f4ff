/*
 * execProcnode.ts — the one factory of plan states (PostgreSQL's
 * execProcnode.c): ExecInitNode dispatches on the plan node's type to the
 * node's own file, arms the node's initplans, and adds instrumentation when
 * EXPLAIN ANALYZE asked for it.
 *
 * Exports: ExecInitNode(plan, estate): PlanState
 */

import type { Plan } from '../nodes/plannodes.ts';
import type { EState, PlanState } from './execnodes.ts';
import { executorPrivate, instrumentNode } from './execUtils.ts';
import { ExecInitInitPlans } from './nodeSubplan.ts';
import { ResultState } from './nodeResult.ts';
import { ProjectSetState } from './nodeProjectSet.ts';
import { SeqScanState } from './nodeSeqscan.ts';
import { IndexScanState } from './nodeIndexscan.ts';
import { IndexOnlyScanState } from './nodeIndexonlyscan.ts';
import { BitmapIndexScanState } from './nodeBitmapIndexscan.ts';
import { BitmapHeapScanState } from './nodeBitmapHeapscan.ts';
import { SubqueryScanState } from './nodeSubqueryscan.ts';
import { FunctionScanState } from './nodeFunctionscan.ts';
import { ValuesScanState } from './nodeValuesscan.ts';
import { CteScanState } from './nodeCtescan.ts';
import { WorkTableScanState } from './nodeWorktablescan.ts';
import { RecursiveUnionState } from './nodeRecursiveunion.ts';
import { NestLoopState } from './nodeNestloop.ts';
import { HashJoinState } from './nodeHashjoin.ts';
import { HashState } from './nodeHash.ts';
import { MergeJoinState } from './nodeMergejoin.ts';
import { MaterialState } from './nodeMaterial.ts';
import { SortState } from './nodeSort.ts';
import { GroupState } from './nodeGroup.ts';
import { AggState } from './nodeAgg.ts';
import { WindowAggState } from './nodeWindowAgg.ts';
import { UniqueState } from './nodeUnique.ts';
import { SetOpState } from './nodeSetOp.ts';
import { AppendState } from './nodeAppend.ts';
import { MergeAppendState } from './nodeMergeAppend.ts';
import { LockRowsState } from './nodeLockRows.ts';
import { LimitState } from './nodeLimit.ts';
import { ExecInitModifyTable } from './nodeModifyTable.ts';
import { epqScanState } from './execEPQ.ts';

export function ExecInitNode(plan: Plan, estate: EState): PlanState {
  // Initplans first: their params may be read while the node initializes (a LIMIT (SELECT ...)).
  const rearm = plan.initPlan.length > 0 ? ExecInitInitPlans(plan.initPlan, estate) : null;
  // EvalPlanQual's copy of a subplan reads the test row where it would scan the target relation (execEPQ.ts).
  const ps = epqScanState(plan, estate) ?? initNode(plan, estate);
  if (rearm !== null) {
    const rescan = ps.rescan.bind(ps);
    ps.rescan = (): void => {
      rearm();
      rescan();
    };
  }
  const priv = executorPrivate(estate);
  if (priv.instrument) instrumentNode(ps);
  priv.allStates.push(ps);
  return ps;
}

function initNode(plan: Plan, estate: EState): PlanState {
  switch (plan.type) {
    case 'Result': return new ResultState(plan, estate);
    case 'ProjectSet': return new ProjectSetState(plan, estate);
    case 'ModifyTable': return ExecInitModifyTable(plan, estate);
    case 'Append': return new AppendState(plan, estate);
    case 'MergeAppend': return new MergeAppendState(plan, estate);
    case 'RecursiveUnion': return new RecursiveUnionState(plan, estate);
    case 'SeqScan': return new SeqScanState(plan, estate);
    case 'IndexScan': return new IndexScanState(plan, estate);
    case 'IndexOnlyScan': return new IndexOnlyScanState(plan, estate);
    case 'BitmapIndexScan': return new BitmapIndexScanState(plan, estate);
    case 'BitmapHeapScan': return new BitmapHeapScanState(plan, estate);
    case 'SubqueryScan': return new SubqueryScanState(plan, estate);
    case 'FunctionScan': return new FunctionScanState(plan, estate);
    case 'ValuesScan': return new ValuesScanState(plan, estate);
    case 'CteScan': return new CteScanState(plan, estate);
    case 'WorkTableScan': return new WorkTableScanState(plan, estate);
    case 'NestLoop': return new NestLoopState(plan, estate);
    case 'MergeJoin': return new MergeJoinState(plan, estate);
    case 'HashJoin': return new HashJoinState(plan, estate);
    case 'Hash': return new HashState(plan, estate);
    case 'Material': return new MaterialState(plan, estate);
    case 'Sort': return new SortState(plan, estate);
    case 'Group': return new GroupState(plan, estate);
    case 'Agg': return new AggState(plan, estate);
    case 'WindowAgg': return new WindowAggState(plan, estate);
    case 'Unique': return new UniqueState(plan, estate);
    case 'SetOp': return new SetOpState(plan, estate);
    case 'LockRows': return new LockRowsState(plan, estate);
    case 'Limit': return new LimitState(plan, estate);
  }
}
