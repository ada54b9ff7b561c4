package dev.tessera.batch.backfill;

import dev.tessera.engine.definition.FeatureDefinition;
import dev.tessera.engine.definition.FeatureGroup;
import dev.tessera.engine.state.FeatureSnapshot;
import dev.tessera.engine.state.MemberFeatureState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * A feature group's values as Spark columns, one column per feature, named {@code prefix + name}.
 * The column type is the kernel's own value type (read from an empty state's snapshot, so it cannot
 * drift from the kernel): {@code Long} counts as {@code bigint}, doubles (and nullable avg, min, max,
 * last) as {@code double}, category maps as {@code map<string,double>}. Values pass through
 * unchanged, so a round trip through Parquet gives back the kernel's exact values.
 */
public final class FeatureColumns {
  private FeatureColumns() {}

  /** The Spark type of each feature, in the group's feature order. */
  public static List<StructField> fields(FeatureGroup group, String prefix) {
    FeatureSnapshot empty = MemberFeatureState.create(group, "-").snapshot(0, 0);
    List<StructField> out = new ArrayList<>();
    for (FeatureDefinition f : group.features()) {
      Object v = empty.values().get(f.name());
      DataType type;
      if (f.isMapValued() || v instanceof Map<?, ?>) {
        type = DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false);
      } else if (v instanceof Long) {
        type = DataTypes.LongType;
      } else {
        type = DataTypes.DoubleType;
      }
      out.add(DataTypes.createStructField(prefix + f.name(), type, true));
    }
    return out;
  }

  /** The feature names of the group, in its order. */
  public static List<String> names(FeatureGroup group) {
    return group.features().stream().map(FeatureDefinition::name).toList();
  }

  /** Writes the snapshot's values into {@code out} from {@code at}, in the group's order. */
  public static void put(FeatureGroup group, FeatureSnapshot s, Object[] out, int at) {
    int i = at;
    for (FeatureDefinition f : group.features()) {
      Object v = s.values().get(f.name());
      if (v instanceof Map<?, ?> m) {
        v = scala.jdk.javaapi.CollectionConverters.asScala(new LinkedHashMap<>(m));
      }
      out[i++] = v;
    }
  }

  /** The values of a row's feature columns, as the kernel's snapshot holds them. */
  public static Map<String, Object> values(FeatureGroup group, Row row, String prefix) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (FeatureDefinition f : group.features()) {
      int i = row.fieldIndex(prefix + f.name());
      Object v = row.isNullAt(i) ? null : row.get(i);
      if (v != null && !(v instanceof Long) && !(v instanceof Double)) {
        v = new TreeMap<String, Double>(row.<String, Double>getJavaMap(i));
      }
      out.put(f.name(), v);
    }
    return out;
  }
}
