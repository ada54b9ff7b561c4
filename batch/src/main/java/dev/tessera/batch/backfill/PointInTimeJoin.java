package dev.tessera.batch.backfill;

import dev.tessera.batch.archive.ArchiveSchema;
import dev.tessera.engine.definition.FeatureGroup;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.InputAdapter;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The point-in-time join: for every spine row (row id, entity, as-of instant), the feature group's
 * vector of that entity as of that instant, computed by the engine kernel ({@link
 * PointInTimeReplay}) from the archived events ingested at or before it.
 *
 * <p>How it scales: only the columns the group reads ({@link EventLayout}) are scanned; events and
 * spine rows are packed per destination bucket into byte blocks ({@link EventBlocks}) and meet in
 * one shuffle; each reduce task decodes its blocks into primitive columns ({@link EventTable}) and
 * replays each entity once for all of its spine rows, in as-of order ({@link PartitionReplay}). A
 * range join instead pairs every spine row with every event of its entity and aggregates each pair
 * set again.
 *
 * <p>Output columns: {@code row_id}, {@code <prefix>as_of} (the instant the values are exact for),
 * {@code <prefix>max_ingested_at} (largest ingestion time among the events seen; null when none, the
 * leakage check's evidence), then one column per feature named {@code <prefix><feature>}.
 */
public final class PointInTimeJoin implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Spine columns: a unique row id, the entity key, and the as-of instant (epoch ms). */
  public static final String ROW_ID = "row_id";

  public static final String AS_OF = "as_of";

  /** Whose features: the entity key column of the archive and how its streams are ordered. */
  public enum Entity {
    /** Member features: each (member, stream) replayed in Kafka offset order. */
    MEMBER(ArchiveSchema.MEMBER_ID),
    /**
     * Title features: the title's events from every member, each stream in ingestion order (a
     * title's events span partitions, so ingestion order is its only total order). Event ids are
     * told apart by member, so two members' equal ids never meet in the title's duplicate check.
     */
    TITLE(ArchiveSchema.TITLE_ID);

    private final String column;

    Entity(String column) {
      this.column = column;
    }

    public String column() {
      return column;
    }
  }

  private final FeatureGroup group;
  private final Entity entity;
  private final String prefix;
  private final long computedAt;

  public PointInTimeJoin(FeatureGroup group, Entity entity, String prefix, long computedAt) {
    this.group = Objects.requireNonNull(group, "group");
    this.entity = Objects.requireNonNull(entity, "entity");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.computedAt = computedAt;
  }

  /** The output schema. */
  public StructType schema() {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField(ROW_ID, DataTypes.LongType, false));
    fields.add(DataTypes.createStructField(prefix + AS_OF, DataTypes.LongType, false));
    fields.add(DataTypes.createStructField(prefix + "max_ingested_at", DataTypes.LongType, true));
    fields.addAll(FeatureColumns.fields(group, prefix));
    return new StructType(fields.toArray(new StructField[0]));
  }

  /**
   * Features for every spine row. Spine rows without an entity key get no row.
   *
   * @param events archive rows (at least the {@link ArchiveSchema#SCHEMA} columns the group reads)
   * @param spine rows with {@code row_id} (long), the entity's key column and {@code as_of} (long)
   */
  public Dataset<Row> compute(Dataset<Row> events, Dataset<Row> spine) {
    SparkSession spark = events.sparkSession();
    int buckets = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions"));
    EventLayout layout = EventLayout.of(group, entity);
    List<String> columns = layout.columns();
    JavaPairRDD<Integer, byte[]> blocks =
        eventBlocks(events, layout, columns.indexOf(entity.column()), buckets)
            .union(
                rows(
                        spine.select(
                            functions.col(entity.column()),
                            functions.col(ROW_ID).cast(DataTypes.LongType),
                            functions.col(AS_OF).cast(DataTypes.LongType)))
                    .mapPartitionsToPair(
                        (PairFlatMapFunction<Iterator<InternalRow>, Integer, byte[]>)
                            rows -> EventBlocks.encodeSpine(ScanRows.of(rows, 3), buckets)));
    FeatureGroup g = group;
    Entity keyed = entity;
    long at = computedAt;
    JavaRDD<Row> rows =
        blocks
            .partitionBy(new HashPartitioner(buckets))
            .mapPartitions(
                (FlatMapFunction<Iterator<Tuple2<Integer, byte[]>>, Row>)
                    in -> {
                      EventTable table = new EventTable(layout, keyed);
                      in.forEachRemaining(b -> table.add(b._2()));
                      return new PartitionReplay(table, g, keyed, at);
                    });
    return spark.createDataFrame(rows, schema());
  }

  /**
   * The events' blocks. The layout's columns are selected in the source's own column order, so a
   * Parquet archive stays a bare scan, whose columnar batches are then encoded in place ({@link
   * ScanRows}); any other source is encoded from its rows.
   */
  private static JavaPairRDD<Integer, byte[]> eventBlocks(
      Dataset<Row> events, EventLayout layout, int keyColumn, int buckets) {
    List<String> columns = layout.columns();
    List<String> scanned = Arrays.stream(events.columns()).filter(columns::contains).toList();
    if (scanned.size() != columns.size()) {
      List<String> missing = columns.stream().filter(c -> !scanned.contains(c)).toList();
      throw new IllegalArgumentException("the events have no column " + missing);
    }
    int[] at = columns.stream().mapToInt(scanned::indexOf).toArray();
    int width = scanned.size();
    Dataset<Row> projection =
        events.select(scanned.stream().map(functions::col).toArray(Column[]::new));
    SparkPlan plan = projection.queryExecution().executedPlan();
    if (plan instanceof WholeStageCodegenExec codegen) {
      plan = codegen.child();
    }
    SparkPlan scan =
        plan instanceof ColumnarToRowExec toRows
            ? toRows.child() instanceof InputAdapter input ? input.child() : toRows.child()
            : null;
    if (scan != null
        && scan.supportsColumnar()
        && CollectionConverters.asJava(scan.output()).stream().map(Attribute::name).toList()
            .equals(scanned)) {
      return scan.executeColumnar()
          .toJavaRDD()
          .mapPartitionsToPair(
              (PairFlatMapFunction<Iterator<ColumnarBatch>, Integer, byte[]>)
                  batches ->
                      EventBlocks.encodeEvents(
                          ScanRows.ofBatches(batches, width), layout, at, keyColumn, buckets));
    }
    return rows(projection)
        .mapPartitionsToPair(
            (PairFlatMapFunction<Iterator<InternalRow>, Integer, byte[]>)
                rows ->
                    EventBlocks.encodeEvents(
                        ScanRows.of(rows, width), layout, at, keyColumn, buckets));
  }

  private static JavaRDD<InternalRow> rows(Dataset<Row> d) {
    return d.queryExecution().toRdd().toJavaRDD();
  }
}
