/**
 * Classifies ClickHouse failures once, at the client boundary, into VestnikErrors: the analytics
 * consumer only looks at `retriable` (keep the offset and retry the batch) and never at text.
 */
import { ClickHouseError } from '@clickhouse/client';
import { VestnikError } from '../platform/errors';

/**
 * Server error codes that describe a passing condition (load, limits, a restarting replica), after
 * which the same statement may succeed. Everything else the server answers (syntax, unknown table,
 * type mismatch) would fail again on retry.
 */
export const TRANSIENT_SERVER_CODES: ReadonlySet<number> = new Set([
  159, // TIMEOUT_EXCEEDED
  164, // READONLY (a replica in read-only mode for a while)
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS (inserts faster than merges: back off)
  279, // ALL_CONNECTION_TRIES_FAILED (a Distributed table's shard is down: cluster-schema.ts)
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
]);

// 18.16 answers errors as `Code: 47, e.displayText() = DB::Exception: …` with no code header; current
// servers as `Code: 47. DB::Exception: …`, which the library parses into ClickHouseError.code. The
// leading `Code: N` is the wire format of both, so reading it is reading a field, not prose.
const LEGACY_ERROR_PREFIX = /^Code: (\d+)[,.]/;

/** The server's numeric error code, or undefined when the server did not answer (network, timeout). */
export function serverErrorCode(error: unknown): number | undefined {
  if (error instanceof ClickHouseError) return Number(error.code);
  if (error instanceof Error) {
    const match = LEGACY_ERROR_PREFIX.exec(error.message);
    if (match?.[1]) return Number(match[1]);
  }
  return undefined;
}

/** Wraps any failure of a ClickHouse call; `operation` says what we were doing (no values, no SQL). */
export function toClickHouseError(error: unknown, operation: string): VestnikError {
  if (error instanceof VestnikError) return error;
  // Bugs in our own code (bad arguments) keep their non-retriable nature.
  if (error instanceof TypeError || error instanceof RangeError) {
    return new VestnikError('INTERNAL', `clickhouse ${operation}: ${error.message}`, { cause: error });
  }
  const code = serverErrorCode(error);
  if (code === undefined) {
    return new VestnikError('DEPENDENCY_UNAVAILABLE', `clickhouse ${operation}: server unreachable`, {
      retriable: true,
      cause: error,
    });
  }
  const retriable = TRANSIENT_SERVER_CODES.has(code);
  return new VestnikError(retriable ? 'DEPENDENCY_UNAVAILABLE' : 'INTERNAL', `clickhouse ${operation}: server error ${code}`, {
    retriable,
    cause: error,
    details: { clickhouseCode: code },
  });
}
