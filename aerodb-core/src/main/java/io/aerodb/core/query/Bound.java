package io.aerodb.core.query;

import io.aerodb.core.json.JsonValue;

/** One end of a range scan: a scalar value, included or not. */
public record Bound(JsonValue value, boolean inclusive) {}
