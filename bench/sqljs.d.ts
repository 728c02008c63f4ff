// The part of sql.js (which ships no types) that the benchmark uses.
declare module 'sql.js' {
  export interface QueryExecResult {
    columns: string[];
    values: unknown[][];
  }
  export interface Statement {
    bind(values: unknown[]): boolean;
    step(): boolean;
    get(): unknown[];
    reset(): void;
    free(): boolean;
  }
  export interface Database {
    run(sql: string): Database;
    exec(sql: string): QueryExecResult[];
    prepare(sql: string): Statement;
    close(): void;
  }
  export interface SqlJsStatic {
    Database: new () => Database;
  }
  export default function initSqlJs(config?: { locateFile?: (file: string) => string }): Promise<SqlJsStatic>;
}
