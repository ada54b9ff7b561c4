package dev.tessera.batch.training;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/**
 * The training set's validation report: row counts, label distribution and class balance per split
 * and per label source, feature completeness (non-null share of all feature cells), null rate and
 * value range per feature (entry counts for map features), and the leakage check's result. Written
 * as {@code report.json} (for machines: the orchestrator's quality gate) and {@code report.md}.
 */
public final class ValidationReport {
  private final Map<String, Object> json = new LinkedHashMap<>();

  private ValidationReport() {}

  public Map<String, Object> json() {
    return json;
  }

  public double completeness() {
    return (Double) json.get("completeness");
  }

  @SuppressWarnings("unchecked")
  public long rows(String split) {
    Map<String, Object> s = (Map<String, Object>) ((Map<String, Object>) json.get("splits")).get(split);
    return s == null ? 0 : (Long) s.get("rows");
  }

  public long rows() {
    return (Long) json.get("rows");
  }

  /** Computes the report (the leakage result is computed by the caller and recorded here). */
  public static ValidationReport of(
      Dataset<Row> set,
      List<String> featureColumns,
      Map<String, Object> header,
      LeakageCheck.Result leakage,
      double minCompleteness) {
    ValidationReport r = new ValidationReport();
    r.json.putAll(header);
    long rows = set.count();
    r.json.put("rows", rows);
    r.json.put("splits", distribution(set, TrainingSet.SPLIT));
    r.json.put("labelSources", distribution(set, Labels.SOURCE));

    List<Column> aggs = new ArrayList<>();
    Map<String, Boolean> isMap = new LinkedHashMap<>();
    for (StructField f : set.schema().fields()) {
      if (featureColumns.contains(f.name())) {
        isMap.put(f.name(), f.dataType() instanceof MapType);
      }
    }
    for (String f : featureColumns) {
      Column value = isMap.get(f) ? functions.size(col(f)) : col(f).cast("double");
      aggs.add(functions.sum(functions.when(col(f).isNull(), 1).otherwise(0)));
      aggs.add(functions.min(value));
      aggs.add(functions.max(value));
      aggs.add(functions.avg(value));
    }
    Map<String, Object> features = new LinkedHashMap<>();
    long nulls = 0;
    if (!aggs.isEmpty() && rows > 0) {
      Row a = set.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
      for (int i = 0; i < featureColumns.size(); i++) {
        String f = featureColumns.get(i);
        long n = a.isNullAt(4 * i) ? 0 : a.getLong(4 * i);
        nulls += n;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", isMap.get(f) ? "map (range of entry counts)" : "number");
        s.put("nullRate", (double) n / rows);
        s.put("min", number(a, 4 * i + 1));
        s.put("max", number(a, 4 * i + 2));
        s.put("mean", number(a, 4 * i + 3));
        features.put(f, s);
      }
    }
    long cells = rows * featureColumns.size();
    double completeness = cells == 0 ? 0.0 : 1.0 - (double) nulls / cells;
    r.json.put("completeness", completeness);
    r.json.put("minCompleteness", minCompleteness);
    r.json.put("completenessOk", completeness > minCompleteness);
    r.json.put("features", features);
    Map<String, Object> leak = new LinkedHashMap<>();
    leak.put("rule", "every feature group's as_of < label_time and max_ingested_at <= as_of");
    leak.put("rowsChecked", leakage.rowsChecked());
    leak.put("violations", leakage.violations());
    leak.put("examples", leakage.examples());
    r.json.put("leakage", leak);
    return r;
  }

  private static Object number(Row a, int i) {
    if (a.isNullAt(i)) {
      return null;
    }
    return ((Number) a.get(i)).doubleValue();
  }

  private static Map<String, Object> distribution(Dataset<Row> set, String by) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Row r : set.groupBy(by)
        .agg(functions.count("*"), functions.sum(col(Labels.LABEL)))
        .orderBy(by).collectAsList()) {
      long n = r.getLong(1);
      long pos = r.isNullAt(2) ? 0 : r.getLong(2);
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("rows", n);
      s.put("positives", pos);
      s.put("negatives", n - pos);
      s.put("positiveShare", n == 0 ? 0.0 : (double) pos / n);
      out.put(r.getString(0), s);
    }
    return out;
  }

  /** Writes report.json and report.md into {@code dir} (a local directory). */
  public void write(Path dir) {
    try {
      Files.createDirectories(dir);
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Files.write(dir.resolve("report.json"), mapper.writeValueAsBytes(json));
      Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + dir, e);
    }
  }

  @SuppressWarnings("unchecked")
  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Training set validation report\n\n");
    for (String k : List.of("group", "titleGroup", "runId", "generatedAt", "output", "boundaries",
        "negativeSampleRate")) {
      if (json.containsKey(k)) {
        md.append("- **").append(k).append("**: ").append(json.get(k)).append('\n');
      }
    }
    md.append("- **rows**: ").append(json.get("rows")).append("\n\n");
    md.append("## Labels by split\n\n| split | rows | positives | negatives | positive share |\n")
        .append("|---|---:|---:|---:|---:|\n");
    table(md, (Map<String, Object>) json.get("splits"));
    md.append("\n## Labels by source\n\n| source | rows | positives | negatives | positive share |\n")
        .append("|---|---:|---:|---:|---:|\n");
    table(md, (Map<String, Object>) json.get("labelSources"));
    md.append(String.format("%n## Features%n%nCompleteness (non-null cells): **%.4f%%** (required > "
            + "%.2f%%): %s%n%n", 100 * completeness(), 100 * (Double) json.get("minCompleteness"),
        (Boolean) json.get("completenessOk") ? "ok" : "**FAILED**"));
    md.append("| feature | null rate | min | max | mean |\n|---|---:|---:|---:|---:|\n");
    ((Map<String, Object>) json.get("features")).forEach((f, v) -> {
      Map<String, Object> s = (Map<String, Object>) v;
      md.append("| ").append(f).append(s.get("type").toString().startsWith("map") ? " (entries)" : "")
          .append(String.format(" | %.4f | %s | %s | %s |%n", (Double) s.get("nullRate"),
              fmt(s.get("min")), fmt(s.get("max")), fmt(s.get("mean"))));
    });
    Map<String, Object> leak = (Map<String, Object>) json.get("leakage");
    md.append("\n## Leakage check\n\nRule: ").append(leak.get("rule")).append(".\n\n")
        .append("Rows checked: ").append(leak.get("rowsChecked")).append(", violations: **")
        .append(leak.get("violations")).append("**")
        .append((Long) leak.get("violations") == 0 ? " (passed)\n" : " (FAILED)\n");
    for (Object e : (List<Object>) leak.get("examples")) {
      md.append("- `").append(e).append("`\n");
    }
    return md.toString();
  }

  @SuppressWarnings("unchecked")
  private static void table(StringBuilder md, Map<String, Object> rows) {
    rows.forEach((k, v) -> {
      Map<String, Object> s = (Map<String, Object>) v;
      md.append(String.format("| %s | %d | %d | %d | %.4f |%n", k, (Long) s.get("rows"),
          (Long) s.get("positives"), (Long) s.get("negatives"), (Double) s.get("positiveShare")));
    });
  }

  private static String fmt(Object v) {
    return v == null ? "-" : String.format("%.4g", (Double) v);
  }

  static String iso(long ms) {
    return Instant.ofEpochMilli(ms).toString();
  }
}
