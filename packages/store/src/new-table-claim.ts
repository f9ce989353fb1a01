import { createHash } from 'node:crypto';
import { buildKeysSql, createUsersTableSql } from '@stampede/schema';
import mysql from 'mysql2/promise';
import type { DatabaseConfig } from './config.js';
import {
  ER_DUP_ENTRY,
  ER_DUP_ENTRY_WITH_KEY_NAME,
  ER_TABLEACCESS_DENIED_ERROR,
  ER_UNKNOWN_SYSTEM_VARIABLE,
} from './driver-codes.js';
import { DatabaseError, toDatabaseError } from './errors.js';
import { mysqlConnectionOptions } from './probe.js';
import type { ClaimHolder, ClaimTableOptions, TableClaim } from './user-store.js';

type MysqlConfig = Extract<DatabaseConfig, { kind: 'mysql' }>;

// The comment of a table whose keys wait for the load that created it, and how it is read back.
const PENDING_PREFIX = 'stampede: keys pending until load ';
const PENDING = /^stampede: keys pending until load (\S+) of (.*)$/s;

/** A claim that builds nothing and holds nothing: the table is, or will be, made with its keys. Shared, so frozen. */
export const KEYS_WITH_TABLE: TableClaim = Object.freeze({
  keysAfter: false,
  buildKeys: async () => 'built' as const,
  recreateWithKeys: async () => undefined,
  release: async () => undefined,
});

/** What runs a statement on the store's pool: a write connection with the store's session. */
type Query = (sql: string, values?: unknown[]) => Promise<unknown>;

/**
 * {@link UserStore.claimTable} on MySQL/MariaDB. The claim is a named lock (`GET_LOCK`) held on a
 * connection of its own for the whole load, so loads into one table meet here one at a time; the
 * state (keys pending for which load) is the table's comment, written by the same CREATE TABLE
 * that makes the table and cleared by the same ALTER TABLE that builds its keys, so it can never
 * disagree with the table. Not on a Galera cluster (a named lock is one node's) nor a multi-host URL.
 */
export async function claimMysqlTable(
  config: MysqlConfig,
  table: string,
  query: Query,
  options: ClaimTableOptions,
): Promise<TableClaim> {
  if (config.hosts || (await isGalera(query))) return KEYS_WITH_TABLE;
  const conn = await mysql.createConnection(mysqlConnectionOptions(config));
  // Lock names are at most 64 characters: a digest of the schema and table names.
  const name = `stampede-table-${createHash('sha256').update(`${config.database}.${table}`).digest('hex').slice(0, 40)}`;
  const unlock = async () => {
    await conn.query('DO RELEASE_LOCK(?)', [name]).catch(() => undefined);
    await conn.end().catch(() => conn.destroy());
  };
  try {
    // Another load of this table holds it while it fills the table: wait, a second at a time so a
    // stop is heard, and say once whom for.
    for (let waited = false; ; waited = true) {
      const [[row]] = (await conn.query('SELECT GET_LOCK(?, 1) AS got', [name])) as unknown as [{ got: unknown }[]];
      if (Number(row?.got) === 1) break;
      if (options.signal?.aborted) {
        await unlock();
        return KEYS_WITH_TABLE;
      }
      if (!waited) options.onWait?.(await holderOf(conn, name, table));
    }
    const comment = await commentOf(conn, table);
    if (comment === undefined && options.mayBuildKeysAfter) {
      const note = `${PENDING_PREFIX}${options.loadKey} of ${options.input}`;
      const sql = createUsersTableSql('mysql', { table, uniqueKeys: false, secondaryIndexes: false, comment: note });
      for (const s of sql) await query(s);
      // An account that may create a table but not alter it could never build the keys: find out
      // now, on the empty table, with an ALTER that changes nothing, rather than after every row.
      try {
        await query(`ALTER TABLE \`${table}\` COMMENT = ?`, [note]);
      } catch (error) {
        if (toDatabaseError(error).errno !== ER_TABLEACCESS_DENIED_ERROR) throw error;
        await query(`DROP TABLE \`${table}\``);
        await unlock();
        return KEYS_WITH_TABLE;
      }
      return mysqlClaim(table, query, unlock);
    }
    const pending = comment === undefined ? null : PENDING.exec(comment);
    if (!pending) {
      await unlock();
      return KEYS_WITH_TABLE;
    }
    if (pending[1] === options.loadKey && options.mayBuildKeysAfter) return mysqlClaim(table, query, unlock);
    // Refused; the lock goes with the error, below.
    throw refusedForPendingKeys(table, pending[2] as string);
  } catch (error) {
    await unlock();
    throw error;
  }
}

/** The refusal a load gets for a table whose keys wait for another load (`input`) that has not finished. */
export function refusedForPendingKeys(table: string, input: string): DatabaseError {
  return new DatabaseError(
    `table ${table} is being filled by a load that has not finished (${input}): its unique username and email keys are built when that load ends, and until then no other load may write to it`,
    {
      errorClass: 'fatal',
      hint: `finish that load (the same command with --resume), or drop table ${table} and load again`,
    },
  );
}

async function commentOf(conn: mysql.Connection, table: string): Promise<string | undefined> {
  const [rows] = (await conn.query(
    'SELECT table_comment AS c FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
    [table],
  )) as unknown as [{ c: string }[]];
  return rows[0]?.c;
}

/** The load holding the claim, as far as the server tells: its connection, and its input from the table's comment. */
async function holderOf(conn: mysql.Connection, name: string, table: string): Promise<ClaimHolder> {
  const [[row]] = (await conn.query('SELECT IS_USED_LOCK(?) AS id', [name])) as unknown as [{ id: unknown }[]];
  const id = row?.id === null || row?.id === undefined ? undefined : Number(row.id);
  const pending = PENDING.exec((await commentOf(conn, table)) ?? '');
  return { ...(id !== undefined && { connectionId: id }), ...(pending && { input: pending[2] as string }) };
}

function mysqlClaim(table: string, query: Query, unlock: () => Promise<void>): TableClaim {
  let released = false;
  const claim: TableClaim = {
    keysAfter: true,
    async buildKeys() {
      try {
        for (const sql of buildKeysSql('mysql', table)) await query(sql);
        return 'built';
      } catch (error) {
        const errno = toDatabaseError(error).errno;
        if (errno === ER_DUP_ENTRY || errno === ER_DUP_ENTRY_WITH_KEY_NAME) return 'conflict';
        throw error;
      }
    },
    async recreateWithKeys() {
      await query(`DROP TABLE IF EXISTS \`${table}\``);
      for (const s of createUsersTableSql('mysql', { table })) await query(s);
      claim.keysAfter = false;
    },
    async release() {
      if (released) return;
      released = true;
      await unlock();
    },
  };
  return claim;
}

/** Whether the server is a Galera node (`wsrep_on`); servers without the variable are not. */
async function isGalera(query: Query): Promise<boolean> {
  try {
    const rows = (await query('SELECT @@wsrep_on AS w')) as { w: unknown }[];
    return Number(rows[0]?.w) === 1;
  } catch (error) {
    if (toDatabaseError(error).errno === ER_UNKNOWN_SYSTEM_VARIABLE) return false;
    throw error;
  }
}
