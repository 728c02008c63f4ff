/*
 * errcodes.ts — the SQLSTATEs the writing side of the SQL layer raises
 * (commands/, executor/nodeModifyTable.ts, execConstraints.ts,
 * utils/adt/ri_triggers.ts) that utils/errors.ts does not list, under
 * PostgreSQL's errcodes.txt names.
 */

export const ERRCODE = {
  cardinality_violation: '21000',
  invalid_parameter_value: '22023',
  numeric_value_out_of_range: '22003',
  sequence_generator_limit_exceeded: '2200H',
  restrict_violation: '23001',
  not_null_violation: '23502',
  foreign_key_violation: '23503',
  unique_violation: '23505',
  check_violation: '23514',
  object_not_in_prerequisite_state: '55000',
  syntax_error: '42601',
  undefined_column: '42703',
  undefined_object: '42704',
  undefined_table: '42P01',
  undefined_schema: '3F000',
  duplicate_column: '42701',
  duplicate_object: '42710',
  duplicate_table: '42P07',
  duplicate_schema: '42P06',
  wrong_object_type: '42809',
  invalid_table_definition: '42P16',
  invalid_foreign_key: '42830',
  invalid_column_definition: '42611',
  datatype_mismatch: '42804',
  dependent_objects_still_exist: '2BP01',
  generated_always: '428C9',
  invalid_object_definition: '42P17',
  feature_not_supported: '0A000',
  internal_error: 'XX000',
} as const;
