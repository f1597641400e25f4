package io.aerodb.core.schema;

/** A declared field: its type and whether it must be present. */
public record FieldSpec(TypeSpec type, boolean required) {}
