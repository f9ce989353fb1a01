export {
  assertIdentifier,
  buildKeysSql,
  type ColumnSpec,
  type CreateTableOptions,
  createSecondaryIndexSql,
  createUsersTableSql,
  type Dialect,
  isoToMysqlDatetime,
  mysqlDatetimeToIso,
  USER_COLUMN_NAMES,
  USER_COLUMNS,
  USERS_TABLE,
  userToRow,
} from './ddl.js';
export { isSchemaMismatchError, SchemaMismatchError } from './errors.js';
export { checkUserJsonScanner, scanUserJson, USER_JSON_SPANS } from './json-bytes.js';
export { type UserFieldJsonSchema, type UserJsonSchema, userJsonSchema } from './json-schema.js';
export {
  DEPARTMENTS,
  type Department,
  EMAIL_PATTERN,
  type FieldKind,
  type FieldSpec,
  LIMITS,
  USER_FIELDS,
  type User,
  type UserField,
} from './user.js';
export {
  checkValidator,
  formatIssues,
  isDepartment,
  type ValidateOptions,
  type ValidationIssue,
  type ValidationResult,
  validateUser,
} from './validate.js';
