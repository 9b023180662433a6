/** A pool or a transaction: search's queries run in either. */
import type { TransactionSql } from "postgres";
import type { Database } from "../../../infra/postgres.ts";

export type Sql = Database | TransactionSql;
