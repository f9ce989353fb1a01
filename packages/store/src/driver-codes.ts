// The driver and server codes the store acts on, named once (as mysql2's constants name
// them), so that no caller and no other module of the store compares a bare number.

// MySQL/MariaDB server errors (errno), as in mysqld_error.h.
export const ER_CON_COUNT_ERROR = 1040;
/** Galera reuses "Unknown command" for `WSREP has not yet prepared node for application use`: a node outside the Primary Component. */
export const ER_UNKNOWN_COM_ERROR = 1047;
export const ER_BAD_NULL_ERROR = 1048;
export const ER_SERVER_SHUTDOWN = 1053;
export const ER_DUP_FIELDNAME = 1060;
export const ER_DUP_KEYNAME = 1061;
export const ER_DUP_ENTRY = 1062;
export const ER_TABLEACCESS_DENIED_ERROR = 1142;
export const ER_NO_SUCH_TABLE = 1146;
export const ER_NOT_ALLOWED_COMMAND = 1148;
export const ER_NET_PACKET_TOO_LARGE = 1153;
export const ER_ERROR_DURING_COMMIT = 1180;
export const ER_UNKNOWN_SYSTEM_VARIABLE = 1193;
export const ER_LOCK_WAIT_TIMEOUT = 1205;
export const ER_LOCK_DEADLOCK = 1213;
export const ER_WARN_DATA_OUT_OF_RANGE = 1264;
export const WARN_DATA_TRUNCATED = 1265;
export const ER_TRUNCATED_WRONG_VALUE = 1292;
export const ER_TRUNCATED_WRONG_VALUE_FOR_FIELD = 1366;
export const ER_DATA_TOO_LONG = 1406;
export const ER_NO_REFERENCED_ROW_2 = 1452;
/** MySQL: "Duplicate entry ... for key ..." with the key's name (an ALTER TABLE adding a unique key, too). */
export const ER_DUP_ENTRY_WITH_KEY_NAME = 1586;
/** MariaDB: the connection was killed (KILL CONNECTION, a server shutting down). */
export const ER_CONNECTION_KILLED = 1927;
/** MySQL 8: a CHECK constraint failed. */
export const ER_CHECK_CONSTRAINT_VIOLATED = 3819;
/** MySQL 8: LOAD DATA LOCAL refused because local_infile is off. */
export const ER_CLIENT_LOCAL_FILES_DISABLED = 3948;
/** MariaDB: a CHECK constraint failed. */
export const ER_CONSTRAINT_FAILED = 4025;
/** MariaDB 10.6+: LOAD DATA LOCAL refused because local_infile is off. */
export const ER_LOAD_INFILE_CAPABILITY_DISABLED = 4166;

// MySQL client errors (errno), as in errmsg.h.
export const CR_SERVER_GONE_ERROR = 2006;
export const CR_SERVER_LOST = 2013;

/** The longest identifier (table, index, constraint) MySQL and MariaDB accept. */
export const MYSQL_MAX_IDENTIFIER_LENGTH = 64;

// better-sqlite3 codes (SQLite result codes by name).
export const SQLITE_BUSY = 'SQLITE_BUSY';
export const SQLITE_BUSY_SNAPSHOT = 'SQLITE_BUSY_SNAPSHOT';
export const SQLITE_LOCKED = 'SQLITE_LOCKED';
/** Prefix of every constraint failure: `SQLITE_CONSTRAINT_UNIQUE`, `_NOTNULL`, `_CHECK`, ... */
export const SQLITE_CONSTRAINT = 'SQLITE_CONSTRAINT';
export const SQLITE_CONSTRAINT_UNIQUE = 'SQLITE_CONSTRAINT_UNIQUE';
export const SQLITE_CONSTRAINT_PRIMARYKEY = 'SQLITE_CONSTRAINT_PRIMARYKEY';
/** SQLite's generic error: a missing table is one (its message says `no such table`). */
export const SQLITE_ERROR = 'SQLITE_ERROR';
