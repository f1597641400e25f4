package io.aerodb.node.api;

import io.aerodb.core.command.AtomicBatch;
import io.aerodb.core.command.Command;
import io.aerodb.core.command.Delete;
import io.aerodb.core.command.Insert;
import io.aerodb.core.command.Precondition;
import io.aerodb.core.command.Update;
import io.aerodb.core.error.AeroError;
import io.aerodb.core.error.ErrorCode;
import io.aerodb.proto.v1.BatchOperation;
import io.aerodb.proto.v1.BatchRequest;
import io.aerodb.proto.v1.ExpectedVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the client's write requests into commands: the guard of a write [TX2] and the operations of
 * a batch [TX1]. A malformed guard or operation is AERO_REQUEST_INVALID naming the field, as an
 * AeroException; the commands' own rules run later, in prepare and apply.
 */
final class WriteRequests {
  private WriteRequests() {}

  /** The guard {@code field} asks for; NONE when it is unset. */
  static Precondition precondition(boolean present, ExpectedVersion e, String field) {
    if (!present) {
      return Precondition.NONE;
    }
    return switch (e.getExpectedCase()) {
      case VERSION -> {
        if (e.getVersion() <= 0) {
          throw invalid(
              field + ".version",
              "an expected version is the commit index of a version (> 0); use absent=true for"
                  + " \"no live version\"");
        }
        yield Precondition.version(e.getVersion());
      }
      case ABSENT -> {
        if (!e.getAbsent()) {
          throw invalid(field + ".absent", "absent must be true when set");
        }
        yield Precondition.absent();
      }
      case EXPECTED_NOT_SET -> throw invalid(field, "set either version or absent");
    };
  }

  /** The batch's operations as one command. */
  static AtomicBatch batch(BatchRequest request) {
    List<Command> ops = new ArrayList<>(request.getOperationsCount());
    for (int i = 0; i < request.getOperationsCount(); i++) {
      ops.add(operation(request.getOperations(i), "operations[" + i + "]"));
    }
    return new AtomicBatch(ops);
  }

  private static Command operation(BatchOperation o, String field) {
    Precondition guard =
        precondition(o.hasExpectedVersion(), o.getExpectedVersion(), field + ".expected_version");
    byte[] json = o.getDocumentJson().getBytes(StandardCharsets.UTF_8);
    return switch (o.getKind()) {
      case INSERT -> new Insert(o.getCollection(), json, guard);
      case UPDATE -> new Update(o.getCollection(), json, guard);
      case DELETE -> new Delete(o.getCollection(), o.getId(), guard);
      case KIND_UNSPECIFIED, UNRECOGNIZED ->
          throw invalid(field + ".kind", "an operation is INSERT, UPDATE or DELETE");
    };
  }

  private static RuntimeException invalid(String field, String why) {
    return AeroError.of(ErrorCode.AERO_REQUEST_INVALID, field + ": " + why, "field", field)
        .toException();
  }
}
