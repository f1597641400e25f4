package io.aerodb.core.query;

import io.aerodb.core.mvcc.DocumentVersion;

/**
 * One result of a query: the document version visible in the read view, exactly as it was written
 * (canonical JSON, with the schema version it was written under [S4]).
 */
public record QueryHit(String id, DocumentVersion version) {}
