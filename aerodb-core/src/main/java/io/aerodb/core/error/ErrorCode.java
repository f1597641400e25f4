package io.aerodb.core.error;

import static io.aerodb.core.error.Severity.ERROR;
import static io.aerodb.core.error.Severity.FATAL;
import static io.aerodb.core.error.Severity.REJECT;
import static io.aerodb.core.error.StatusClass.ALREADY_EXISTS;
import static io.aerodb.core.error.StatusClass.DATA_LOSS;
import static io.aerodb.core.error.StatusClass.FAILED_PRECONDITION;
import static io.aerodb.core.error.StatusClass.INTERNAL;
import static io.aerodb.core.error.StatusClass.INVALID_ARGUMENT;
import static io.aerodb.core.error.StatusClass.NOT_FOUND;
import static io.aerodb.core.error.StatusClass.RESOURCE_EXHAUSTED;
import static io.aerodb.core.error.StatusClass.UNAVAILABLE;
import static io.aerodb.core.error.StatusClass.UNKNOWN;

/**
 * The one catalogue of AeroDB error codes. A code is stable forever once released: never rename or
 * reuse one. docs/ERRORS.md is generated from this enum (ErrorCatalogueDocTest fails when they
 * differ).
 *
 * <p>Each code names its severity, the transport status it maps to, and the SPEC invariant it
 * protects (empty when none applies). The same bad request always yields the same code.
 */
public enum ErrorCode {
  // --- requests
  AERO_REQUEST_INVALID(
      REJECT,
      INVALID_ARGUMENT,
      "",
      "A required request field is missing or malformed, or a number is above its bound: every"
          + " unsigned field (index, term, id, limit, timeout) is at most 2^63-1 (2^31-1 for 32"
          + " bits), some have a tighter one; details name the field, the bound and the value."),

  // --- collections
  AERO_COLLECTION_NAME_INVALID(
      REJECT, INVALID_ARGUMENT, "", "Collection names match [a-z][a-z0-9_]{0,62}."),
  AERO_COLLECTION_EXISTS(
      REJECT, ALREADY_EXISTS, "S1", "A collection with this name already exists."),
  AERO_COLLECTION_NOT_FOUND(REJECT, NOT_FOUND, "", "No collection with this name exists."),

  // --- schemas
  AERO_SCHEMA_INVALID(
      REJECT,
      INVALID_ARGUMENT,
      "S1",
      "The schema does not follow the schema language (SPEC §1); details name the path and the rule."),

  AERO_SCHEMA_UNCHANGED(
      REJECT,
      FAILED_PRECONDITION,
      "S1",
      "The published schema equals the latest version; no new version was created."),

  // --- documents (parsing and identity)
  AERO_DOCUMENT_MALFORMED(
      REJECT,
      INVALID_ARGUMENT,
      "",
      "The input is not strict JSON (RFC 8259: no comments, single quotes, trailing commas, NaN"
          + " or Infinity); the message says what, details give the line, column and path."),
  AERO_DOCUMENT_DUPLICATE_KEY(
      REJECT, INVALID_ARGUMENT, "S2", "A JSON object in the document repeats a key."),
  AERO_DOCUMENT_NUMBER_OUT_OF_RANGE(
      REJECT,
      INVALID_ARGUMENT,
      "S3",
      "A number does not fit a 64-bit int (integer literal) or a finite 64-bit float, or its"
          + " literal is longer than 1,000 characters."),
  AERO_DOCUMENT_ID_INVALID(REJECT, INVALID_ARGUMENT, "S1", "The _id is empty."),
  AERO_DOCUMENT_EXISTS(
      REJECT, ALREADY_EXISTS, "", "Insert of an _id that exists (AeroDB never upserts silently)."),
  AERO_DOCUMENT_NOT_FOUND(REJECT, NOT_FOUND, "", "Update of a document that does not exist."),

  // --- schema validation of documents
  AERO_VALIDATION_UNKNOWN_FIELD(
      REJECT, INVALID_ARGUMENT, "S2", "The document has a field the schema does not declare."),
  AERO_VALIDATION_MISSING_FIELD(REJECT, INVALID_ARGUMENT, "S2", "A required field is absent."),
  AERO_VALIDATION_NULL_VALUE(
      REJECT, INVALID_ARGUMENT, "S3", "A value is null (null is never a valid value)."),
  AERO_VALIDATION_TYPE_MISMATCH(
      REJECT, INVALID_ARGUMENT, "S3", "A value does not have exactly the declared type."),

  // --- limits (every one names the limit and its value in the details)
  AERO_LIMIT_DOCUMENT_SIZE(
      REJECT, INVALID_ARGUMENT, "", "The canonical document exceeds documentBytesMax."),
  AERO_LIMIT_NESTING_DEPTH(
      REJECT, INVALID_ARGUMENT, "", "The document or schema nests deeper than nestingDepthMax."),
  AERO_LIMIT_ARRAY_LENGTH(REJECT, INVALID_ARGUMENT, "", "An array is longer than arrayLengthMax."),
  AERO_LIMIT_ID_SIZE(REJECT, INVALID_ARGUMENT, "", "The _id is longer than idBytesMax (UTF-8)."),
  AERO_LIMIT_SCHEMA_SIZE(
      REJECT, INVALID_ARGUMENT, "", "The schema exceeds schemaBytesMax or schemaFieldsMax."),
  AERO_LIMIT_REQUEST_SIZE(
      REJECT,
      INVALID_ARGUMENT,
      "",
      "The request exceeds the node's requestBytesMax (up to 16 MiB; above that the gRPC"
          + " transport itself answers RESOURCE_EXHAUSTED, which the Java client and the CLI"
          + " report as this code)."),
  AERO_LIMIT_SCHEMA_VERSIONS(
      REJECT,
      FAILED_PRECONDITION,
      "",
      "The collection already has schemaVersionsMax schema versions; no new one can be published."),
  AERO_LIMIT_INDEX_COUNT(
      REJECT, FAILED_PRECONDITION, "", "The collection already has indexesMax live indexes."),
  AERO_LIMIT_BATCH_OPERATIONS(
      REJECT,
      INVALID_ARGUMENT,
      "TX1",
      "The batch has more than batchOperationsMax operations (or none); nothing was applied."),
  AERO_LIMIT_BATCH_SIZE(
      REJECT,
      INVALID_ARGUMENT,
      "TX1",
      "The batch's documents and ids exceed batchBytesMax in total (below the Raft entry limit);"
          + " nothing was applied."),

  // --- transactions: batches and preconditions
  AERO_TXN_PRECONDITION_FAILED(
      REJECT,
      FAILED_PRECONDITION,
      "TX2",
      "A write's expected version (the commit index the client last saw, or absent) is not the"
          + " document's version when the write applies; the error names the operation, the"
          + " expected and the actual version. Nothing was written (in a batch: no operation)."),
  AERO_TXN_DOCUMENT_REPEATED(
      REJECT,
      INVALID_ARGUMENT,
      "TX1",
      "Two operations of one batch write the same document; a batch writes each document at most"
          + " once. Nothing was applied."),

  // --- secondary indexes (replicated commands)
  AERO_INDEX_EXISTS(
      REJECT,
      ALREADY_EXISTS,
      "Q2",
      "The field is already indexed (_id always is); nothing was built."),
  AERO_INDEX_NOT_FOUND(REJECT, NOT_FOUND, "", "No live index on this field; nothing was dropped."),
  AERO_INDEX_FIELD_INVALID(
      REJECT,
      INVALID_ARGUMENT,
      "Q2",
      "The index field is not a valid path, or no schema version declares it as a scalar"
          + " (string, int, float, bool)."),

  // --- queries: checked before any document is read (details name the limit or field)
  AERO_QUERY_UNBOUNDED(
      REJECT,
      INVALID_ARGUMENT,
      "Q1",
      "The filter is empty: a query names at least one predicate on an indexed field."),
  AERO_QUERY_LIMIT_REQUIRED(
      REJECT, INVALID_ARGUMENT, "Q1", "The query has no limit, or a limit that is not > 0."),
  AERO_QUERY_LIMIT_TOO_LARGE(
      REJECT, INVALID_ARGUMENT, "Q1", "The limit exceeds the node's queryLimitMax."),
  AERO_QUERY_UNINDEXED_FIELD(
      REJECT,
      FAILED_PRECONDITION,
      "Q2",
      "A filtered field has no index usable at the query's read view (create one first)."),
  AERO_QUERY_SORT_NOT_INDEXED(
      REJECT,
      FAILED_PRECONDITION,
      "Q2",
      "The sort field has no index usable at the query's read view (_id always has one)."),
  AERO_QUERY_FILTER_MALFORMED(
      REJECT,
      INVALID_ARGUMENT,
      "",
      "The filter is not a JSON object of field paths to values or operator objects."),
  AERO_QUERY_FILTER_TOO_LARGE(
      REJECT, INVALID_ARGUMENT, "Q1", "The filter JSON exceeds filterBytesMax."),
  AERO_QUERY_UNKNOWN_OPERATOR(
      REJECT, INVALID_ARGUMENT, "", "An operator is not one of eq, gt, gte, lt, lte, in."),
  AERO_QUERY_VALUE_INVALID(
      REJECT,
      INVALID_ARGUMENT,
      "",
      "An operand is not a scalar (string, number, bool), or an in list is not a non-empty array."),
  AERO_QUERY_VALUE_TYPE_MISMATCH(
      REJECT,
      INVALID_ARGUMENT,
      "",
      "An operand's type fits no schema version's type for the field, or the bounds of one field"
          + " mix types."),
  AERO_QUERY_IN_TOO_LONG(
      REJECT, INVALID_ARGUMENT, "Q1", "An in list has more than inValuesMax values."),
  AERO_QUERY_TOO_MANY_PREDICATES(
      REJECT, INVALID_ARGUMENT, "Q1", "The filter has more than predicatesMax predicates."),
  AERO_QUERY_FIELD_UNKNOWN(
      REJECT,
      INVALID_ARGUMENT,
      "",
      "No schema version covered by the query declares the field path."),
  AERO_QUERY_FIELD_NOT_SCALAR(
      REJECT,
      INVALID_ARGUMENT,
      "",
      "The field path is declared only as an object or array; only scalars are filtered and sorted."),
  AERO_QUERY_SORT_INVALID(
      REJECT, INVALID_ARGUMENT, "", "The sort is not a field path, optionally prefixed by '-'."),
  AERO_QUERY_SCAN_LIMIT(
      REJECT,
      RESOURCE_EXHAUSTED,
      "Q1",
      "Serving the query would examine more than scanEntriesMax index entries; narrow the filter."),

  // --- idempotency
  AERO_IDEMPOTENCY_KEY_REUSED(
      REJECT,
      FAILED_PRECONDITION,
      "",
      "The request_id was already used for a different command; the original result stands."),

  AERO_IDEMPOTENCY_HORIZON_INVALID(
      REJECT,
      INVALID_ARGUMENT,
      "",
      "The idempotency horizon must stay between the one in force (it is only ever raised) and"
          + " 1,000,000,000 entries; the error names the numbers."),

  // --- leadership and write outcome
  AERO_NOT_LEADER(
      ERROR,
      FAILED_PRECONDITION,
      "P6-A1",
      "This node is not the leader; nothing was written. The error names the leader when known."),
  AERO_OUTCOME_UNKNOWN(
      ERROR,
      UNKNOWN,
      "",
      "The write may or may not have committed (leadership changed or time ran out while it was in"
          + " flight). Retry with the same request_id to learn the outcome."),
  AERO_CLUSTER_NO_LEADER(
      ERROR, UNAVAILABLE, "P6-F1", "No leader is known right now (election in progress)."),
  AERO_CLUSTER_LEADER_NOT_READY(
      ERROR,
      UNAVAILABLE,
      "",
      "The leader was just elected and has not applied its first entry yet; nothing was written."),
  AERO_CLUSTER_LEADER_STEPPING_DOWN(
      ERROR,
      UNAVAILABLE,
      "P6-F3",
      "The leader is handing over leadership (a transfer is running); nothing was written, retry shortly."),
  AERO_CLUSTER_OVERLOADED(
      ERROR,
      RESOURCE_EXHAUSTED,
      "",
      "Too many writes are pending on the leader; nothing was written."),
  AERO_CLUSTER_UNAVAILABLE(
      ERROR, UNAVAILABLE, "", "No node of the cluster could be reached before the deadline."),

  // --- leadership transfer (SPEC §4): a denial names the check, its invariant and the numbers it
  // compared
  AERO_TRANSFER_IN_PROGRESS(
      REJECT,
      FAILED_PRECONDITION,
      "P6-A2",
      "Another leadership transfer is in flight (one at a time)."),
  AERO_TRANSFER_MEMBERSHIP_CHANGE_IN_PROGRESS(
      REJECT,
      FAILED_PRECONDITION,
      "P6-A2",
      "A membership change is in flight; transfer after it ends."),
  AERO_TRANSFER_TARGET_UNKNOWN(REJECT, FAILED_PRECONDITION, "P6-A3", "The target is not a member."),
  AERO_TRANSFER_TARGET_IS_SELF(
      REJECT, FAILED_PRECONDITION, "P6-A3", "The target is already the leader."),
  AERO_TRANSFER_TARGET_IS_LEARNER(
      REJECT, FAILED_PRECONDITION, "P6-A3", "The target is a learner; only a voter can lead."),
  AERO_TRANSFER_NO_QUORUM(
      REJECT, FAILED_PRECONDITION, "P6-F1", "Fewer than a majority of voters are reachable."),
  AERO_TRANSFER_TARGET_UNHEALTHY(
      REJECT, FAILED_PRECONDITION, "P6-S2", "The target has not answered the leader recently."),
  AERO_TRANSFER_TARGET_INSTALLING_SNAPSHOT(
      REJECT,
      FAILED_PRECONDITION,
      "P6-S2",
      "The target needs a snapshot install before it can lead."),
  AERO_TRANSFER_TARGET_LAGGING(
      REJECT,
      FAILED_PRECONDITION,
      "P6-S1",
      "The target's match index is below the leader's commit index (it lacks acknowledged writes)."),
  AERO_TRANSFER_FAILED(
      ERROR,
      UNAVAILABLE,
      "P6-F3",
      "An approved transfer did not complete (timeout or error); it is never retried automatically."),

  // --- membership changes
  AERO_MEMBERSHIP_REFUSED(
      REJECT,
      FAILED_PRECONDITION,
      "P6-F1",
      "The membership change was refused; details name the failing check, its invariant and numbers."),
  AERO_MEMBERSHIP_FAILED(
      ERROR,
      UNAVAILABLE,
      "P6-A2",
      "An approved membership change did not complete; the cause is named."),

  // --- offline recovery
  AERO_RECOVERY_REFUSED(
      FATAL,
      FAILED_PRECONDITION,
      "P6-A1",
      "unsafe-recover refused: missing confirmation, a node still running, or no usable survivor."),

  // --- reads
  AERO_READ_INDEX_NOT_REACHED(
      ERROR,
      UNAVAILABLE,
      "MVCC-2",
      "The node has not applied the requested minimum index within the wait bound."),
  AERO_READ_LEADERSHIP_UNCONFIRMED(
      ERROR,
      UNAVAILABLE,
      "R-LIN",
      "A linearizable read was not answered: a majority of voters did not confirm the leader and"
          + " term it would be served under (details: each voter's answer). Retry: another node or"
          + " a new leader can serve it."),
  AERO_READ_TIMEOUT(
      ERROR, StatusClass.DEADLINE_EXCEEDED, "", "The read did not complete before its deadline."),

  // --- node configuration and start-up (refused before any data file is touched)
  AERO_CONFIG_UNREADABLE(FATAL, INVALID_ARGUMENT, "", "The config file cannot be read."),
  AERO_CONFIG_MALFORMED(FATAL, INVALID_ARGUMENT, "", "The config file is not valid JSON."),
  AERO_CONFIG_UNKNOWN_KEY(
      FATAL, INVALID_ARGUMENT, "", "The config file has a key AeroDB does not know."),
  AERO_CONFIG_MISSING_KEY(FATAL, INVALID_ARGUMENT, "", "A required config key is absent."),
  AERO_CONFIG_INVALID_VALUE(
      FATAL, INVALID_ARGUMENT, "", "A config value has the wrong type or range."),
  AERO_CONFIG_UNSAFE_VALUE(
      FATAL,
      INVALID_ARGUMENT,
      "P6-F1",
      "A config value would weaken safety (e.g. turning log fsync off, an even number of voters)."),
  AERO_CONFIG_DATA_DIR_LOCKED(
      FATAL, FAILED_PRECONDITION, "", "Another process holds the lock on this data directory."),
  AERO_CONFIG_DATA_DIR_MISMATCH(
      FATAL,
      FAILED_PRECONDITION,
      "",
      "The data directory belongs to another node or cluster than the config names."),

  // --- storage and the log
  AERO_STORAGE_IO(
      FATAL, INTERNAL, "", "The store failed an I/O operation; the node stops serving."),
  AERO_STORAGE_CORRUPTION(
      FATAL, DATA_LOSS, "", "Stored data failed a consistency check; the node refuses to serve."),
  AERO_GC_FLOOR_INVALID(
      REJECT,
      FAILED_PRECONDITION,
      "",
      "The garbage-collection floor must not go down and must stay below the applied index; the"
          + " error names the floor asked for and the number it was compared with."),
  AERO_MVCC_SNAPSHOT_TOO_OLD(
      REJECT,
      FAILED_PRECONDITION,
      "",
      "The read's index is below the garbage-collection floor: its history may be collected. The"
          + " error names both numbers; read at or above the floor."),
  AERO_WATCH_TOO_SLOW(
      ERROR,
      RESOURCE_EXHAUSTED,
      "",
      "A watch stream's consumer took no message for watchSlowMs, so the node ended the stream (it"
          + " never buffers without bound nor slows apply down); resume from the last change seen."),
  AERO_WATCH_LIMIT(
      ERROR,
      RESOURCE_EXHAUSTED,
      "",
      "This node already serves watchesMax watch streams; watch on another node, or later."),
  AERO_STORE_SEND_REFUSED(
      ERROR,
      UNAVAILABLE,
      "",
      "This node cannot send its store now: it already sends as many as it allows (installs and"
          + " backups have their own limits), it applied less than an installing member needs, or"
          + " the send failed; an installing member asks again, a backup is started again."),
  AERO_STATE_DIGEST_UNKNOWN(
      REJECT,
      FAILED_PRECONDITION,
      "",
      "This node keeps no state digest for that index (it applied it before digests were kept, or"
          + " installed a store without them); ask about a later index."),
  AERO_SNAPSHOT_FAILED(
      ERROR,
      UNAVAILABLE,
      "",
      "The node could not take a snapshot now (a store install is under way, the Raft server is not"
          + " running, or the store's fsync failed); nothing was recorded and the log is kept."),
  AERO_BACKUP_FAILED(
      ERROR,
      UNAVAILABLE,
      "",
      "A backup, backup verify or restore could not do its work (the node's stream broke off or"
          + " went silent, a file could not be read or written, no space left): nothing was left at"
          + " the backup's path, and a restore's target was left as it was; the message names the"
          + " path."),
  AERO_BACKUP_CORRUPT(
      REJECT,
      INVALID_ARGUMENT,
      "",
      "The backup file fails a check (its structure, a block's or a file's CRC32C, the applied"
          + " record or the content digest): the details name the part and the offset; nothing was"
          + " restored from it."),
  AERO_RESTORE_REFUSED(
      REJECT,
      FAILED_PRECONDITION,
      "",
      "The restore was refused before anything was written: the target data directory is not"
          + " empty, or it cannot be created next to its staging directory."),
  AERO_LOG_ENTRY_INVALID(
      ERROR,
      INTERNAL,
      "",
      "A log entry could not be decoded or is malformed (a batch with a command that is not a"
          + " document write, or two writes of one document or request_id); it was rejected"
          + " identically on every node and its request_id stays free."),

  // --- the node itself
  AERO_NODE_NOT_READY(
      ERROR,
      UNAVAILABLE,
      "",
      "The node is starting, recovering or stopping and does not serve yet."),
  AERO_INTERNAL(ERROR, INTERNAL, "", "An unexpected server error; the message says where.");

  private final Severity severity;
  private final StatusClass statusClass;
  private final String invariant;
  private final String summary;

  ErrorCode(Severity severity, StatusClass statusClass, String invariant, String summary) {
    this.severity = severity;
    this.statusClass = statusClass;
    this.invariant = invariant;
    this.summary = summary;
  }

  public Severity severity() {
    return severity;
  }

  public StatusClass statusClass() {
    return statusClass;
  }

  /** SPEC invariant id without brackets (e.g. "S2"), or "" when none applies. */
  public String invariant() {
    return invariant;
  }

  /** One sentence for the catalogue; the per-instance message says more. */
  public String summary() {
    return summary;
  }

  /** The category word of AERO_&lt;CATEGORY&gt;_&lt;NAME&gt; (e.g. "DOCUMENT"). */
  public String category() {
    String rest = name().substring("AERO_".length());
    int cut = rest.indexOf('_');
    return cut < 0 ? rest : rest.substring(0, cut);
  }
}
