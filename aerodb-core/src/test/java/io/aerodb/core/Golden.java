package io.aerodb.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Data-driven golden files (the etcd-io/raft testdata style). A file is a list of cases separated
 * by blank lines; each case is "key: value" lines, and the line starting with "expect:" is what the
 * code under test produced. Run with {@code -Daerodb.rewrite=true} to rewrite the expect lines from
 * the current behaviour, then review the diff.
 */
public final class Golden {
  private Golden() {}

  public record Case(String name, List<String> lines) {
    public String get(String key) {
      for (String l : lines) {
        if (l.startsWith(key + ": ")) {
          return l.substring(key.length() + 2);
        }
      }
      throw new IllegalArgumentException("case " + name + " has no '" + key + "'");
    }
  }

  public static Path testdata(String file) {
    return Paths.get("src/test/resources/testdata", file);
  }

  /** Runs every case through {@code run}, compares (or rewrites) the expect lines. */
  public static void check(String file, Function<Case, String> run) throws IOException {
    Path path = testdata(file);
    List<String> all = Files.readAllLines(path, StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    List<String> mismatches = new ArrayList<>();
    List<String> block = new ArrayList<>();
    all.add("");
    for (String line : all) {
      if (line.isBlank()) {
        if (!block.isEmpty()) {
          out.addAll(runBlock(block, run, mismatches));
          out.add("");
          block.clear();
        }
      } else {
        block.add(line);
      }
    }
    if (Boolean.getBoolean("aerodb.rewrite")) {
      Files.write(path, out.subList(0, out.size() - 1), StandardCharsets.UTF_8);
      return;
    }
    assertThat(mismatches)
        .as("golden mismatches in " + file + " (rewrite with -Daerodb.rewrite=true)")
        .isEmpty();
  }

  private static List<String> runBlock(
      List<String> block, Function<Case, String> run, List<String> mismatches) {
    String name = block.get(0).startsWith("# ") ? block.get(0).substring(2) : "(unnamed)";
    List<String> lines = new ArrayList<>();
    String expected = null;
    for (String l : block) {
      if (l.startsWith("expect: ")) {
        expected = l.substring(8);
      } else {
        lines.add(l);
      }
    }
    String actual = run.apply(new Case(name, lines));
    if (!actual.equals(expected)) {
      mismatches.add(name + "\n  expected: " + expected + "\n  actual:   " + actual);
    }
    List<String> result = new ArrayList<>(lines);
    result.add("expect: " + actual);
    return result;
  }
}
