package io.aerodb.core.json;

/**
 * Bounds enforced while parsing, so that no input can make the parser recurse or allocate without
 * limit.
 *
 * @param bytesMax the largest input accepted, in bytes
 * @param nestingDepthMax the deepest nesting accepted; the top-level value is depth 1
 * @param arrayLengthMax the longest array accepted
 */
public record JsonLimits(int bytesMax, int nestingDepthMax, int arrayLengthMax) {}
