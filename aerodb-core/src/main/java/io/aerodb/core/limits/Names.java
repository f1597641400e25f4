package io.aerodb.core.limits;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import java.util.Optional;
import java.util.regex.Pattern;

/** Rules for the names users choose: collections and schema field names. */
public final class Names {
  private static final Pattern COLLECTION = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private Names() {}

  /**
   * Collection names: {@code [a-z][a-z0-9_]{0,62}} (they appear in keys, paths and metric labels).
   */
  public static Optional<AeroError> checkCollection(String name) {
    if (name == null || !COLLECTION.matcher(name).matches()) {
      return Optional.of(
          AeroError.of(
              ErrorCode.AERO_COLLECTION_NAME_INVALID,
              "collection name '" + name + "' does not match [a-z][a-z0-9_]{0,62}",
              "collection",
              String.valueOf(name),
              "rule",
              "[a-z][a-z0-9_]{0,62}"));
    }
    return Optional.empty();
  }

  /**
   * Why a field name is not allowed, or empty if it is. Field names are 1..128 chars, contain no
   * '.', '[', ']' (they would make paths ambiguous) and no control characters. At the document
   * root, names starting with '_' are reserved for AeroDB except {@code _id}.
   */
  public static Optional<String> fieldNameProblem(String name, boolean atRoot) {
    if (name.isEmpty()) {
      return Optional.of("field names are not empty");
    }
    if (name.length() > Limits.FIELD_NAME_CHARS_MAX) {
      return Optional.of(
          "field names are at most "
              + Limits.FIELD_NAME_CHARS_MAX
              + " characters (fieldNameCharsMax)");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '.' || c == '[' || c == ']') {
        return Optional.of("field names contain no '.', '[' or ']'");
      }
      if (c < 0x20 || c == 0x7f) {
        return Optional.of("field names contain no control characters");
      }
    }
    if (atRoot && name.startsWith("_") && !name.equals("_id")) {
      return Optional.of("root field names starting with '_' are reserved (except _id)");
    }
    return Optional.empty();
  }
}
