package dev.tessera.batch.consistency;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tessera.batch.BatchSettings;
import dev.tessera.batch.Summary;
import dev.tessera.batch.archive.ArchiveReader;
import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.batch.backfill.TimedEvent;
import dev.tessera.batch.signal.SignalEmitter;
import dev.tessera.batch.signal.WorkflowSignal;
import dev.tessera.engine.definition.FeatureDefinition;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.event.EnrichedEvent;
import dev.tessera.engine.event.EventStream;
import dev.tessera.engine.serving.ServedSample;
import dev.tessera.engine.serving.ServedSampleJson;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.MemberReplay;
import dev.tessera.engine.state.SnapshotDifference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.CoGroupFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online/offline consistency: every served sample (what the serving API answered, with its as-of
 * and the member's last applied offset per stream) is recomputed by the kernel from exactly the
 * archived events of that member up to those offsets, as of the same instant, and compared feature
 * by feature ({@link SnapshotDifference}: counts exactly, doubles within 1e-9 relative).
 *
 * <p>Per feature: {@code match}; {@code mismatch} (both have a value, they differ); {@code missing}
 * (offline has a value, the served sample has none or null); {@code extra} (the served sample has a
 * value offline does not: null offline, or a feature the group does not define). A sample whose
 * offsets the archive does not reach yet (archive older than the sample) is {@code uncovered}: not
 * compared, counted. Output: {@code report.json}, {@code report.md}, and the differing cells as
 * Parquet ({@code differences/}).
 */
public final class ConsistencyJob {
  private static final Logger log = LoggerFactory.getLogger(ConsistencyJob.class);

  static final StructType CELLS =
      new StructType()
          .add("sample", DataTypes.StringType, false)
          .add("member_id", DataTypes.StringType, false)
          .add("as_of", DataTypes.LongType, false)
          .add("feature", DataTypes.StringType, true)
          .add("status", DataTypes.StringType, false)
          .add("online", DataTypes.StringType, true)
          .add("offline", DataTypes.StringType, true)
          .add("difference", DataTypes.DoubleType, true);

  private ConsistencyJob() {}

  /** Per-feature counts and the whole run's. */
  public record Result(
      long samples, long compared, long uncovered, long malformed,
      Map<String, Map<String, Long>> byFeature, List<Row> differences) {
    public long total(String status) {
      return byFeature.values().stream().mapToLong(m -> m.getOrDefault(status, 0L)).sum();
    }
  }

  public static Result run(
      SparkSession spark, BatchSettings settings, FeatureRegistry registry, String starting,
      String ending, String runIdOverride, Summary summary) {
    FeatureGroup group = registry.get(settings.memberGroup().name(), settings.memberGroup().version());
    Dataset<Row> archive = ArchiveReader.read(spark, settings.archivePath());
    LongAccumulator malformed = spark.sparkContext().longAccumulator("malformed samples");
    String topic = settings.kafka().samplesTopic();
    log.info("consistency: samples from {} [{} .. {}]", topic, starting, ending);
    Dataset<Row> samples =
        spark.read().format("kafka")
            .option("kafka.bootstrap.servers", settings.kafka().bootstrapServers())
            .option("kafka.isolation.level", "read_committed")
            .option("subscribe", topic)
            .option("startingOffsets", starting)
            .option("endingOffsets", ending)
            .load()
            .select(col("partition"), col("offset"), col("value"))
            .mapPartitions((MapPartitionsFunction<Row, Row>) rows -> decode(rows, group, malformed),
                Encoders.row(new StructType()
                    .add("member_id", DataTypes.StringType)
                    .add("sample", DataTypes.StringType)
                    .add("value", DataTypes.BinaryType)))
            .persist();

    // how far the archive reaches in each (topic, partition): a sample beyond it is uncovered
    Map<String, Long> reach = new HashMap<>();
    for (Row r : archive.groupBy(ArchiveSchema.TOPIC, ArchiveSchema.PARTITION)
        .agg(functions.max(ArchiveSchema.OFFSET)).collectAsList()) {
      reach.put(r.getString(0) + "/" + r.getInt(1), r.getLong(2));
    }
    Map<String, EventStream> streamOfTopic = new HashMap<>();
    for (EventStream s : EventStream.values()) {
      for (String t : settings.kafka().domainTopics()) {
        if (t.endsWith(s.wireName())) {
          streamOfTopic.put(t, s);
        }
      }
    }
    long computedAt = System.currentTimeMillis();
    Dataset<Row> cells =
        archive
            .groupByKey((MapFunction<Row, String>) r -> r.getString(5), Encoders.STRING())
            .cogroup(
                samples.groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING()),
                (CoGroupFunction<String, Row, Row, Row>) (member, events, served) ->
                    compare(group, member, events, served, reach, computedAt),
                Encoders.row(CELLS))
            .persist();
    try {
      Result result = summarize(cells, samples.count(), malformed.value());
      write(spark, settings, group, cells, result);
      summary.put("group", group.name() + " v" + group.version())
          .put("samples", result.samples())
          .put("compared", result.compared())
          .put("uncovered (archive behind)", result.uncovered())
          .put("malformed samples", result.malformed())
          .put("mismatch rate", rate(result.total("mismatch"), result.compared() * group.features().size()))
          .put("missing rate", rate(result.total("missing"), result.compared() * group.features().size()))
          .put("extra rate", rate(result.total("extra"), result.compared() * group.features().size()))
          .put("report", Path.of(settings.consistencyPath()).resolve("report.md"));
      String runId = runIdOverride != null ? runIdOverride
          : WorkflowSignal.runId("consistency", group.name(), "" + group.version(), topic, starting,
              ending, settings.archivePath(), "" + result.samples());
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("group", group.name());
      payload.put("version", group.version());
      payload.put("samples", result.samples());
      payload.put("compared", result.compared());
      payload.put("mismatches", result.total("mismatch"));
      payload.put("missing", result.total("missing"));
      payload.put("extra", result.total("extra"));
      payload.put("reportPath", Path.of(settings.consistencyPath()).resolve("report.json").toString());
      WorkflowSignal signal = WorkflowSignal.of("consistency_checked", "batch/consistency",
          group.name(), group.version(), runId, payload, System.currentTimeMillis());
      SignalEmitter.emit(settings.kafka(), signal);
      summary.put("signal", signal.id());
      return result;
    } finally {
      cells.unpersist();
      samples.unpersist();
    }
  }

  private static String rate(long n, long of) {
    return of == 0 ? "n/a" : String.format("%.6f (%d of %d)", (double) n / of, n, of);
  }

  private static Iterator<Row> decode(Iterator<Row> rows, FeatureGroup group, LongAccumulator bad) {
    List<Row> out = new ArrayList<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      try {
        byte[] value = (byte[]) r.get(2);
        ServedSample s = ServedSampleJson.read(value);
        if (s.group().equals(group.name()) && s.groupVersion() == group.version()) {
          out.add(RowFactory.create(s.memberId(), r.getInt(0) + "@" + r.getLong(1), value));
        }
      } catch (RuntimeException e) {
        bad.add(1);
      }
    }
    return out.iterator();
  }

  static Iterator<Row> compare(
      FeatureGroup group, String member, Iterator<Row> events, Iterator<Row> served,
      Map<String, Long> reach, long computedAt) {
    if (!served.hasNext()) {
      return java.util.Collections.emptyIterator();
    }
    Map<EventStream, List<TimedEvent>> streams = new EnumMap<>(EventStream.class);
    Map<EventStream, String> topicOf = new EnumMap<>(EventStream.class);
    while (events.hasNext()) {
      Row r = events.next();
      TimedEvent e = ArchiveSchema.toTimedEvent(r);
      streams.computeIfAbsent(e.event().stream(), s -> new ArrayList<>()).add(e);
      topicOf.put(e.event().stream(), r.getString(0) + "/" + r.getInt(1));
    }
    streams.values().forEach(l -> l.sort(TimedEvent.LOG_ORDER));
    List<Row> out = new ArrayList<>();
    while (served.hasNext()) {
      Row row = served.next();
      ServedSample s = ServedSampleJson.read((byte[]) row.get(2));
      String id = row.getString(1);
      boolean covered = true;
      Map<EventStream, List<EnrichedEvent>> visible = new EnumMap<>(EventStream.class);
      for (EventStream stream : EventStream.values()) {
        long upTo = s.offset(stream);
        List<EnrichedEvent> kept = new ArrayList<>();
        for (TimedEvent e : streams.getOrDefault(stream, List.of())) {
          if (e.offset() <= upTo) {
            kept.add(e.event());
          }
        }
        String tp = topicOf.get(stream);
        if (upTo >= 0 && (tp == null || reach.getOrDefault(tp, -1L) < upTo)) {
          covered = false;
        }
        visible.put(stream, kept);
      }
      if (!covered) {
        out.add(RowFactory.create(id, member, s.asOf(), null, "uncovered", null, null, null));
        continue;
      }
      FeatureSnapshot offline =
          MemberReplay.replay(group, member, visible, new long[] {s.asOf()}, computedAt).get(0);
      for (FeatureDefinition f : group.features()) {
        Object on = s.values().get(f.name());
        Object off = offline.values().get(f.name());
        String status;
        if (on == null && off == null) {
          status = "match";
        } else if (on == null) {
          status = "missing";
        } else if (off == null) {
          status = "extra";
        } else {
          status = SnapshotDifference.ofValue(off, on) == null ? "match" : "mismatch";
        }
        out.add(RowFactory.create(id, member, s.asOf(), f.name(), status, text(on), text(off),
            difference(on, off)));
      }
      for (String name : s.values().keySet()) {
        if (!offline.values().containsKey(name) && s.values().get(name) != null) {
          out.add(RowFactory.create(id, member, s.asOf(), name, "extra", text(s.values().get(name)),
              null, null));
        }
      }
    }
    return out.iterator();
  }

  private static String text(Object v) {
    return v == null ? null : v.toString();
  }

  /** |online - offline| for numbers; the largest entry difference for maps; null otherwise. */
  static Double difference(Object on, Object off) {
    if (on instanceof Number a && off instanceof Number b) {
      return Math.abs(a.doubleValue() - b.doubleValue());
    }
    if (on instanceof Map<?, ?> a && off instanceof Map<?, ?> b) {
      double max = 0;
      java.util.Set<Object> keys = new java.util.HashSet<>(a.keySet());
      keys.addAll(b.keySet());
      for (Object k : keys) {
        double x = a.containsKey(k) ? ((Number) a.get(k)).doubleValue() : 0;
        double y = b.containsKey(k) ? ((Number) b.get(k)).doubleValue() : 0;
        max = Math.max(max, Math.abs(x - y));
      }
      return max;
    }
    return null;
  }

  private static Result summarize(Dataset<Row> cells, long samples, long malformed) {
    Map<String, Map<String, Long>> byFeature = new java.util.TreeMap<>();
    long uncovered = 0;
    for (Row r : cells.groupBy("feature", "status").count().collectAsList()) {
      if (r.isNullAt(0)) {
        uncovered += r.getLong(2);
        continue;
      }
      byFeature.computeIfAbsent(r.getString(0), f -> new LinkedHashMap<>())
          .put(r.getString(1), r.getLong(2));
    }
    long compared = cells.where(col("feature").isNotNull()).select("sample").distinct().count();
    List<Row> differences = cells.where(col("status").isin("mismatch", "missing", "extra"))
        .orderBy(col("difference").desc_nulls_last()).limit(1000).collectAsList();
    return new Result(samples, compared, uncovered, malformed, byFeature, differences);
  }

  private static void write(
      SparkSession spark, BatchSettings settings, FeatureGroup group, Dataset<Row> cells,
      Result result) {
    Path dir = Path.of(settings.consistencyPath());
    cells.where(col("status").isin("mismatch", "missing", "extra")).write().mode(SaveMode.Overwrite)
        .parquet(dir.resolve("differences").toString());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("group", group.name());
    json.put("version", group.version());
    json.put("samples", result.samples());
    json.put("compared", result.compared());
    json.put("uncovered", result.uncovered());
    json.put("malformed", result.malformed());
    Map<String, Object> features = new LinkedHashMap<>();
    StringBuilder md = new StringBuilder("# Online/offline consistency\n\n");
    md.append(String.format("Group %s v%d: %d samples, %d compared, %d uncovered (archive behind the "
            + "served offsets), %d malformed.%n%n", group.name(), group.version(), result.samples(),
        result.compared(), result.uncovered(), result.malformed()));
    md.append("| feature | compared | mismatch rate | missing rate | extra rate | largest differences |\n")
        .append("|---|---:|---:|---:|---:|---|\n");
    result.byFeature().forEach((f, counts) -> {
      long n = counts.values().stream().mapToLong(Long::longValue).sum();
      List<String> largest = result.differences().stream()
          .filter(r -> f.equals(r.getString(3))).limit(3)
          .map(r -> r.getString(1) + "@" + r.getLong(2) + " " + r.getString(4) + " online="
              + r.getString(5) + " offline=" + r.getString(6)).toList();
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("compared", n);
      for (String k : List.of("match", "mismatch", "missing", "extra")) {
        s.put(k, counts.getOrDefault(k, 0L));
      }
      s.put("mismatchRate", n == 0 ? 0.0 : (double) counts.getOrDefault("mismatch", 0L) / n);
      s.put("missingRate", n == 0 ? 0.0 : (double) counts.getOrDefault("missing", 0L) / n);
      s.put("extraRate", n == 0 ? 0.0 : (double) counts.getOrDefault("extra", 0L) / n);
      s.put("largestDifferences", largest);
      features.put(f, s);
      md.append(String.format("| %s | %d | %.6f | %.6f | %.6f | %s |%n", f, n,
          (Double) s.get("mismatchRate"), (Double) s.get("missingRate"), (Double) s.get("extraRate"),
          largest.isEmpty() ? "-" : String.join("<br>", largest)));
    });
    json.put("features", features);
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve("report.json"),
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json));
      Files.writeString(dir.resolve("report.md"), md.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir, e);
    }
  }
}
