package dev.tessera.batch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A job's one-screen summary: ordered label/value lines, printed when the job ends. */
public final class Summary {
  private final String job;
  private final Map<String, Object> lines = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  public Summary(String job) {
    this.job = job;
  }

  public Summary put(String label, Object value) {
    lines.put(label, value);
    return this;
  }

  public Summary note(String note) {
    notes.add(note);
    return this;
  }

  public Map<String, Object> lines() {
    return Map.copyOf(lines);
  }

  public Object get(String label) {
    return lines.get(label);
  }

  public String render() {
    int width = lines.keySet().stream().mapToInt(String::length).max().orElse(0);
    StringBuilder out = new StringBuilder();
    out.append("== tessera batch ").append(job).append(" ==\n");
    lines.forEach(
        (k, v) -> out.append("  ").append(k).append(" ".repeat(width - k.length())).append("  ")
            .append(v).append('\n'));
    notes.forEach(n -> out.append("  ").append(n).append('\n'));
    return out.toString();
  }
}
