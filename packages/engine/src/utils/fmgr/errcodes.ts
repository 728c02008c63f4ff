/*
 * errcodes.ts — SQLSTATEs raised by the type system and function
 * resolution that utils/errors.ts does not list (PostgreSQL's errcodes.txt).
 */

export const ERRCODE = {
  datatype_mismatch: '42804',
  undefined_function: '42883',
  ambiguous_function: '42725',
  cannot_coerce: '42846',
  indeterminate_datatype: '42P18',
  wrong_object_type: '42809',
  invalid_argument_for_logarithm: '2201E',
  invalid_argument_for_power_function: '2201F',
  invalid_escape_sequence: '22025',
  substring_error: '22011',
  array_subscript_error: '2202E',
  invalid_parameter_value: '22023',
  syntax_error: '42601',
  undefined_object: '42704',
  feature_not_supported: '0A000',
  invalid_text_representation: '22P02',
  null_value_not_allowed: '22004',
  program_limit_exceeded: '54000',
  undefined_column: '42703',
  invalid_column_reference: '42P10',
} as const;
