package io.aerodb.core.catalog;

import io.aerodb.core.schema.Schema;

/** A published, immutable schema version of a collection [S1, S4]. */
public record SchemaVersion(int version, long createdIndex, Schema schema) {}
