/* eslint-disable */
import { basename } from 'node:path';
import { PgliteSide, corpusFiles, runCorpusFile } from '../../test/sql/harness.ts';
import { openTabgresSide } from '../../test/sql/tabgres_side.ts';
const PG_RESET = `ROLLBACK; RESET ALL; SET search_path = "$user", public;
DO $$ DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast%' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; END $$;
CREATE SCHEMA public;`;
const pg = await PgliteSide.start();
const only = process.argv[2];
for (const file of corpusFiles()) {
  if (only && !file.includes(only)) continue;
  await pg.run(PG_RESET);
  const tg = await openTabgresSide();
  const r = await runCorpusFile(file, [pg, tg]);
  await tg.close();
  console.log(`=== ${basename(file)} ${r.agreeing}/${r.statements.length}`);
  for (const s of r.statements.filter((x) => !x.agree)) console.log(`--- ${s.line}: ${s.sql}\n  pg: ${s.outputs[0].split('\n').slice(0,4).join(' | ')}\n  tg: ${s.outputs[1].split('\n').slice(0,4).join(' | ')}`);
}
await pg.close();
