package io.aerodb.node.promotion;

import io.aerodb.core.json.CanonicalJson;
import io.aerodb.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The outcome of validating a promotion request: approved, or denied with the first failing check's
 * reason, the invariant it protects and the numbers it compared — plus every check with its inputs
 * and verdict (explain). Rendered as canonical JSON, so identical inputs give a byte-identical
 * explanation [P6-O2].
 *
 * @param action what was asked ("transfer-leader", "add-learner", "promote", "remove")
 * @param target the node the action is about
 * @param reason "APPROVED" or the denial reason (e.g. TARGET_LAGGING)
 * @param invariant the invariant of the failing check ("" when approved)
 * @param summary one line, e.g. "TARGET_LAGGING: match index 1180 < commit index 1212 [P6-S1]"
 * @param checks every check in evaluation order
 */
public record Decision(
    String action,
    String target,
    String reason,
    String invariant,
    String summary,
    List<Check> checks) {

  public static final String APPROVED = "APPROVED";

  /** One check: a name, the invariant it protects, its inputs, and PASS, FAIL or NOT_EVALUATED. */
  public record Check(String name, String invariant, String verdict, String detail) {
    public static Check pass(String name, String invariant, String detail) {
      return new Check(name, invariant, "PASS", detail);
    }

    public static Check fail(String name, String invariant, String detail) {
      return new Check(name, invariant, "FAIL", detail);
    }

    public static Check notEvaluated(String name, String invariant, String why) {
      return new Check(name, invariant, "NOT_EVALUATED", why);
    }

    JsonValue.Obj toJson() {
      TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
      m.put("check", new JsonValue.Str(name));
      m.put("detail", new JsonValue.Str(detail));
      m.put("invariant", new JsonValue.Str(invariant));
      m.put("verdict", new JsonValue.Str(verdict));
      return new JsonValue.Obj(m);
    }
  }

  public Decision {
    checks = List.copyOf(checks);
  }

  public boolean approved() {
    return APPROVED.equals(reason);
  }

  /** Decides from checks evaluated in order: the first FAIL is the reason. */
  static Decision of(String action, String target, List<Check> checks) {
    for (Check c : checks) {
      if (c.verdict().equals("FAIL")) {
        return new Decision(
            action,
            target,
            c.name(),
            c.invariant(),
            c.name() + ": " + c.detail() + " [" + c.invariant() + "]",
            checks);
      }
    }
    return new Decision(
        action, target, APPROVED, "", APPROVED + ": " + action + " to " + target, checks);
  }

  public JsonValue.Obj toJson() {
    List<JsonValue> cs = new ArrayList<>();
    checks.forEach(c -> cs.add(c.toJson()));
    TreeMap<String, JsonValue> m = new TreeMap<>(JsonValue.KEY_ORDER);
    m.put("action", new JsonValue.Str(action));
    m.put("approved", new JsonValue.Bool(approved()));
    m.put("checks", new JsonValue.Arr(cs));
    m.put("invariant", new JsonValue.Str(invariant));
    m.put("reason", new JsonValue.Str(reason));
    m.put("summary", new JsonValue.Str(summary));
    m.put("target", new JsonValue.Str(target));
    return new JsonValue.Obj(m);
  }

  /** The explanation: canonical JSON, byte-identical for identical inputs [P6-O2]. */
  public String explanation() {
    return CanonicalJson.toText(toJson());
  }
}
