package dev.tessera.batch.bench;

import static org.apache.spark.sql.functions.col;

import com.typesafe.config.Config;
import dev.tessera.batch.SparkSessions;
import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.batch.backfill.PointInTimeJoin;
import dev.tessera.engine.definition.Aggregation;
import dev.tessera.engine.definition.FeatureDefinition;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.definition.FeatureRegistry;
import dev.tessera.engine.definition.Window;
import dev.tessera.engine.event.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.ArraySeq;

/**
 * {@code ./tessera bench batch}: a point-in-time training set (labels with member features as of
 * label - 1 ms) computed twice in the same session, from the same Parquet inputs: by the kernel's
 * replay ({@link PointInTimeJoin}) and by a naive Spark SQL range join (label joined with every
 * event of its member ingested by then inside the widest window, then conditional counts per
 * feature from the contract's window bounds). Features: every count feature of {@code
 * member_engagement} (sliding 1 min to 24 h and the 5-minute tumbling one). Events are generated
 * in order per stream (no late or duplicate event), so both must agree exactly; the bench checks
 * that they do, row by row. Each path runs {@code --rounds} times (default 3), alternating which
 * goes first; the medians are compared.
 */
public final class BatchBench {
  static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  static final long SPAN = 7 * 86_400_000L;
  static final String[] TYPES = {"play", "play", "click", "impression", "impression", "search",
      "stop", "scroll"};

  private BatchBench() {}

  public static int run(Config config, Map<String, String> options) {
    long events = Long.parseLong(options.getOrDefault("events", "10000000"));
    long labels = Long.parseLong(options.getOrDefault("labels", "1000000"));
    int members = Integer.parseInt(options.getOrDefault("members", "20000"));
    String master = options.getOrDefault("master", "local[2]");
    Path dir = Path.of(options.getOrDefault("work-dir", "data/batch/bench"));
    FeatureGroup full = FeatureRegistry.fromConfig(config).get("member_engagement", 1);
    List<FeatureDefinition> counts = full.features().stream()
        .filter(f -> f.aggregation() instanceof Aggregation.Count).toList();
    FeatureGroup group = new FeatureGroup("bench_counts", 1, full.ttl(), full.allowedLatenessMs(),
        counts);

    SparkSession spark = SparkSessions.local(master, 8);
    try {
      System.out.printf("bench batch: %,d events, %,d labels, %,d members, %s, features %s%n",
          events, labels, members, master,
          counts.stream().map(FeatureDefinition::name).collect(Collectors.joining(",")));
      String eventsPath = dir.resolve("events").toString();
      String labelsPath = dir.resolve("labels").toString();
      long t = System.nanoTime();
      generate(spark, events, labels, members, eventsPath, labelsPath);
      System.out.printf("  inputs generated in %.1f s (%s)%n", (System.nanoTime() - t) / 1e9, dir);
      Dataset<Row> archive = spark.read().parquet(eventsPath)
          .select(java.util.Arrays.stream(ArchiveSchema.COLUMNS).map(functions::col)
              .toArray(Column[]::new));
      Dataset<Row> spine = spark.read().parquet(labelsPath);

      int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
      boolean kernelOnly = options.getOrDefault("only", "").equals("kernel");
      String kernelOut = dir.resolve("out-kernel").toString();
      String naiveOut = dir.resolve("out-naive").toString();
      // Rounds alternate which path runs first, so JIT warm-up and a shared machine's load swings
      // fall on both; the medians are compared.
      double[] kernelTimes = new double[rounds];
      double[] naiveTimes = new double[rounds];
      double[] kernelCpu = new double[rounds];
      double[] naiveCpu = new double[rounds];
      String[] kernelStages = new String[rounds];
      String[] naiveStages = new String[rounds];
      TaskTime tasks = new TaskTime();
      spark.sparkContext().addSparkListener(tasks);
      for (int r = 0; r < rounds; r++) {
        for (int step = 0; step < 2; step++) {
          boolean kernelNow = (step == 0) == (r % 2 == 0);
          if (!kernelNow && kernelOnly) {
            continue;
          }
          tasks.reset();
          t = System.nanoTime();
          if (kernelNow) {
            new PointInTimeJoin(group, PointInTimeJoin.Entity.MEMBER, "", 0)
                .compute(archive, spine)
                .drop("as_of", "max_ingested_at")
                .write().mode(SaveMode.Overwrite).parquet(kernelOut);
            kernelTimes[r] = (System.nanoTime() - t) / 1e9;
            kernelCpu[r] = tasks.cpuSeconds();
            kernelStages[r] = tasks.byStage();
          } else {
            naive(archive, spine, counts).write().mode(SaveMode.Overwrite).parquet(naiveOut);
            naiveTimes[r] = (System.nanoTime() - t) / 1e9;
            naiveCpu[r] = tasks.cpuSeconds();
            naiveStages[r] = tasks.byStage();
          }
        }
        System.out.printf("  round %d: kernel %.1f s (task CPU %.1f s = %s by stage), naive %.1f s"
            + " (task CPU %.1f s = %s), load average %.1f%n", r + 1, kernelTimes[r], kernelCpu[r],
            kernelStages[r], naiveTimes[r], naiveCpu[r], naiveStages[r], loadAverage());
      }
      if (kernelOnly) {
        return 0; // profiling the kernel path alone
      }
      double kernel = median(kernelTimes);
      double naive = median(naiveTimes);

      Dataset<Row> a = spark.read().parquet(kernelOut);
      Dataset<Row> b = spark.read().parquet(naiveOut);
      Column differ = functions.lit(false);
      for (FeatureDefinition f : counts) {
        differ = differ.or(functions.not(a.col(f.name()).eqNullSafe(b.col(f.name()))));
      }
      long rowsA = a.count();
      long rowsB = b.count();
      long mismatched = a.join(b, a.col("row_id").equalTo(b.col("row_id")), "full_outer")
          .where(a.col("row_id").isNull().or(b.col("row_id").isNull()).or(differ)).count();
      long nonZero = a.where(col("plays_24h").gt(0)).count();
      System.out.printf("== tessera bench batch ==%n"
              + "  labels x events       %,d x %,d (%,d members, %s)%n"
              + "  kernel (replay)       %.1f s (median of %d)%n"
              + "  naive range join      %.1f s (median of %d)%n"
              + "  speed-up              %.2fx%n"
              + "  task CPU kernel/naive %.1f s / %.1f s (%.2fx; medians, robust to machine load)%n"
              + "  rows kernel / naive   %,d / %,d%n"
              + "  differing rows        %,d (rows with plays_24h > 0: %,d)%n",
          labels, events, members, master, kernel, rounds, naive, rounds, naive / kernel,
          median(kernelCpu), median(naiveCpu), median(naiveCpu) / median(kernelCpu), rowsA,
          rowsB, mismatched,
          nonZero);
      return mismatched == 0 && rowsA == labels ? 0 : 1;
    } finally {
      spark.stop();
    }
  }

  /**
   * Executor CPU time of the tasks of the jobs run since {@link #reset}: what a path costs,
   * whatever else the machine runs (wall times on a shared machine swing with its load).
   */
  static final class TaskTime extends org.apache.spark.scheduler.SparkListener {
    private final java.util.concurrent.atomic.AtomicLong cpuNanos =
        new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger running =
        new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.ConcurrentSkipListMap<Integer, Long> stageNanos =
        new java.util.concurrent.ConcurrentSkipListMap<>();

    void reset() {
      cpuNanos.set(0);
      stageNanos.clear();
    }

    @Override
    public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart e) {
      running.incrementAndGet();
    }

    @Override
    public void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd e) {
      running.decrementAndGet();
    }

    @Override
    public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd e) {
      if (e.taskMetrics() != null) {
        long cpu = e.taskMetrics().executorCpuTime();
        cpuNanos.addAndGet(cpu);
        stageNanos.merge(e.stageId(), cpu, Long::sum);
      }
    }

    /** The CPU seconds of each stage since {@link #reset}, in stage order (after cpuSeconds). */
    String byStage() {
      return stageNanos.values().stream().map(n -> String.format("%.1f", n / 1e9))
          .collect(Collectors.joining(" + "));
    }

    /**
     * The CPU seconds so far, once the (asynchronous) listener bus has delivered every job's end
     * and no task has ended for half a second (at most 10 s of waiting).
     */
    double cpuSeconds() {
      long until = System.nanoTime() + 10_000_000_000L;
      long last = -1;
      int quiet = 0;
      while (System.nanoTime() < until && (running.get() > 0 || quiet < 10)) {
        long now = cpuNanos.get();
        quiet = now == last ? quiet + 1 : 0;
        last = now;
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      return cpuNanos.get() / 1e9;
    }
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        .getSystemLoadAverage();
  }

  /** The naive join: every (label, event) pair of a member inside the widest window, counted. */
  static Dataset<Row> naive(Dataset<Row> archive, Dataset<Row> spine, List<FeatureDefinition> fs) {
    Dataset<Row> e = archive.select(col("member_id").as("e_member"), col("type").as("e_type"),
        col("event_time").as("e_time"), col("ingested_at").as("e_ingested"));
    long widest = 0;
    for (FeatureDefinition f : fs) {
      Window w = f.window();
      widest = Math.max(widest, w.lengthMs() + (w instanceof Window.Sliding s ? s.hopMs()
          : w.lengthMs()));
    }
    Column asOf = col(PointInTimeJoin.AS_OF);
    Dataset<Row> pairs = spine.join(e,
        col("member_id").equalTo(col("e_member"))
            .and(col("e_ingested").leq(asOf))
            .and(col("e_time").leq(asOf))
            .and(col("e_time").geq(asOf.minus(widest))),
        "left");
    List<Column> aggs = new ArrayList<>();
    for (FeatureDefinition f : fs) {
      Column inWindow;
      if (f.window() instanceof Window.Sliding s) {
        Column from = functions.floor(asOf.divide(s.hopMs())).multiply(s.hopMs()).minus(s.lengthMs());
        inWindow = col("e_time").geq(from).and(col("e_time").leq(asOf));
      } else {
        long w = f.window().lengthMs();
        Column end = functions.floor(asOf.divide(w)).multiply(w);
        inWindow = col("e_time").geq(end.minus(w)).and(col("e_time").lt(end));
      }
      Column typed = col("e_type").isin(f.filter().types().stream().map(EventType::wireName)
          .toArray());
      aggs.add(functions.sum(functions.when(typed.and(inWindow), 1L).otherwise(0L))
          .as(f.name()));
    }
    return pairs.groupBy(PointInTimeJoin.ROW_ID)
        .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
  }

  static void generate(SparkSession spark, long events, long labels, int members,
      String eventsPath, String labelsPath) {
    if (Files.exists(Path.of(eventsPath, "_SUCCESS")) && Files.exists(Path.of(labelsPath,
        "_SUCCESS")) && spark.read().parquet(eventsPath).count() == events
        && spark.read().parquet(labelsPath).count() == labels
        && spark.read().parquet(labelsPath).select("member_id").distinct().count() <= members) {
      return; // same inputs as the last run
    }
    spark.range(0, events, 1, 8)
        .mapPartitions((MapPartitionsFunction<Long, Row>) ids -> eventRows(ids, events, members),
            Encoders.row(ArchiveSchema.SCHEMA))
        .write().mode(SaveMode.Overwrite).parquet(eventsPath);
    spark.range(0, labels, 1, 8)
        .select(col("id").as(PointInTimeJoin.ROW_ID),
            functions.concat(functions.lit("m-"), functions.pmod(functions.xxhash64(col("id")),
                functions.lit(members))).as("member_id"),
            functions.lit(T0).plus(functions.pmod(functions.xxhash64(col("id"), functions.lit(1)),
                functions.lit(SPAN))).minus(1).as(PointInTimeJoin.AS_OF))
        .write().mode(SaveMode.Overwrite).parquet(labelsPath);
  }

  /** Event i: member i mod members, its k-th event (k = i / members), in time order per member. */
  private static Iterator<Row> eventRows(Iterator<Long> ids, long events, int members) {
    long perMember = Math.max(1, events / members);
    long spacing = SPAN / perMember;
    List<Row> out = new ArrayList<>();
    while (ids.hasNext()) {
      long i = ids.next();
      int m = (int) (i % members);
      long k = i / members;
      long h = mix(i);
      long time = T0 + k * spacing + Math.floorMod(h, Math.max(1, spacing / 2));
      String type = TYPES[(int) Math.floorMod(h >>> 20, TYPES.length)];
      String stream = EventType.fromWire(type).orElseThrow().stream().wireName();
      out.add(RowFactory.create(stream, m % 6, k, time + 50, time + 50, "m-" + m, "e" + i, type,
          stream, time, 1, type.equals("search") || type.equals("scroll") ? null : "t-" + (h & 255),
          type.equals("stop") ? 600 : 0, 0, type.equals("search") ? "q" : null, 0.0, 0.0, null,
          ArraySeq.unsafeWrapArray(new String[] {"drama"}), false, null, null,
          ArchiveSchema.eventDate(time)));
    }
    return out.iterator();
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb9fe1a85ec53L;
    return x ^ (x >>> 33);
  }

}
