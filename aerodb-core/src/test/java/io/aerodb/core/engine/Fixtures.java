package io.aerodb.core.engine;

import io.aerodb.core.command.Command;
import io.aerodb.core.command.CreateCollection;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Update;
import java.nio.charset.StandardCharsets;

/** Commands used by several engine tests. */
final class Fixtures {
  static final String USERS_SCHEMA =
      "{\"fields\":{\"_id\":{\"type\":\"string\",\"required\":true},"
          + "\"name\":{\"type\":\"string\",\"required\":true},"
          + "\"age\":{\"type\":\"int\",\"required\":false}}}";

  private Fixtures() {}

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Command createUsers() {
    return new CreateCollection("users", utf8(USERS_SCHEMA));
  }

  static Command insert(String id, String name) {
    return new Insert("users", utf8("{\"_id\":\"" + id + "\",\"name\":\"" + name + "\"}"));
  }

  static Command update(String id, String name) {
    return new Update("users", utf8("{\"_id\":\"" + id + "\",\"name\":\"" + name + "\"}"));
  }

  static Command delete(String id) {
    return new Delete("users", id);
  }

  static byte[] key(String k) {
    return utf8(k);
  }
}
