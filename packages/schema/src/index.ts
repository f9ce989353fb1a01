export {
  assertIdentifier,
  type ColumnSpec,
  type CreateTableOptions,
  createSecondaryIndexSql,
  createUsersTableSql,
  type Dialect,
  isoToMysqlDatetime,
  USER_COLUMN_NAMES,
  USER_COLUMNS,
  USERS_TABLE,
  userToRow,
} from './ddl.js';
export { DEPARTMENTS, type Department, LIMITS, USER_FIELDS, type User, type UserField } from './user.js';
export {
  formatIssues,
  isDepartment,
  type ValidateOptions,
  type ValidationIssue,
  type ValidationResult,
  validateUser,
} from './validate.js';
